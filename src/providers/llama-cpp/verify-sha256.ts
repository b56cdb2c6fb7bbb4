import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';

export async function computeFileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a model file against its expected sha256. A verified file leaves a `.sha256` note with
 * its size and mtime, so later starts skip re-hashing hundreds of megabytes unless the file changed.
 */
export async function verifySha256(path: string, expected: string): Promise<void> {
  const info = await stat(path);
  const notePath = `${path}.sha256`;
  const stamp = `${expected} ${info.size} ${info.mtimeMs}`;
  const note = await readFile(notePath, 'utf8').catch(() => '');
  if (note.trim() === stamp) return;
  const actual = await computeFileSha256(path);
  if (actual !== expected) {
    throw new Error(
      `Model file ${path} has sha256 ${actual}, expected ${expected}: it is corrupt or not the pinned file.`,
    );
  }
  await writeFile(notePath, `${stamp}\n`).catch(() => undefined);
}
