/**
 * A one-line progress bar on a terminal (`[#####-----]  50% stage`); silent when stderr is not a
 * TTY, so logs and pipes stay clean.
 */
export function createProgressBar(stream: NodeJS.WritableStream & { isTTY?: boolean }) {
  let last = '';
  return {
    update(fraction: number, stage: string): void {
      if (!stream.isTTY) return;
      const width = 30;
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${stage}`;
      if (line === last) return;
      last = line;
      stream.write(`\r${line.padEnd(72)}`);
    },
    done(): void {
      if (stream.isTTY && last !== '') stream.write('\n');
    },
  };
}
