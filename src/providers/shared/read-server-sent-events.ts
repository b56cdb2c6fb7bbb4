import { StringDecoder } from 'node:string_decoder';

/** One server-sent event: its `event:` name (if any) and its joined `data:` lines. */
export interface ServerSentEvent {
  event: string | undefined;
  data: string;
}

/**
 * Parses a byte stream as server-sent events (WHATWG rules: \n, \r\n or \r line ends, multi-line
 * data joined with \n, comment lines ignored). Works on chunks split anywhere, even inside a
 * multi-byte character.
 */
export async function* readServerSentEvents(
  body: AsyncIterable<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  // StringDecoder rather than TextDecoder, and one array of parsed events per chunk rather than a
  // nested generator: a stream outlives many garbage collections, so whatever it allocates per
  // chunk and keeps is carried into the old generation; the less it holds, the less that costs.
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  const parsed: ServerSentEvent[] = [];
  // How much of `buffer` is known to hold no line end: a line that spans many chunks is scanned
  // once, not once per chunk.
  let scanned = 0;

  const takeLines = (final: boolean): void => {
    let start = 0;
    let index = scanned;
    for (; index < buffer.length; index++) {
      const char = buffer.charCodeAt(index);
      if (char !== 10 && char !== 13) continue;
      // A \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (char === 13 && index === buffer.length - 1 && !final) break;
      const line = buffer.slice(start, index);
      if (char === 13 && buffer.charCodeAt(index + 1) === 10) index++;
      start = index + 1;
      if (line === '') {
        if (data.length > 0) parsed.push({ event, data: data.join('\n') });
        event = undefined;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
    }
    buffer = buffer.slice(start);
    scanned = index - start;
  };

  for await (const chunk of body) {
    buffer += decoder.write(chunk as Buffer);
    takeLines(false);
    for (let index = 0; index < parsed.length; index++) yield parsed[index] as ServerSentEvent;
    parsed.length = 0;
  }
  buffer += decoder.end();
  buffer += '\n\n';
  takeLines(true);
  yield* parsed;
}
