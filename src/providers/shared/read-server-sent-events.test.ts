import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readServerSentEvents } from './read-server-sent-events.js';

async function parse(
  chunks: string[] | Uint8Array[],
): Promise<{ event: string | undefined; data: string }[]> {
  async function* body() {
    for (const chunk of chunks) yield typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
  }
  const events = [];
  for await (const event of readServerSentEvents(body())) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('parses events split across chunks, with CRLF, comments and named events', async () => {
    const events = await parse(['data: {"a"', ':1}\r\n\r', '\n: keep-alive\n\nevent: ping\ndata: x\n\n']);
    assert.deepEqual(events, [
      { event: undefined, data: '{"a":1}' },
      { event: 'ping', data: 'x' },
    ]);
  });

  it('joins multi-line data and flushes a final event without a trailing blank line', async () => {
    assert.deepEqual(await parse(['data: one\ndata: two\n\ndata: last']), [
      { event: undefined, data: 'one\ntwo' },
      { event: undefined, data: 'last' },
    ]);
  });

  it('keeps a multi-byte character split between chunks intact', async () => {
    const bytes = new TextEncoder().encode('data: café\n\n');
    const events = await parse([bytes.slice(0, 10), bytes.slice(10)]);
    assert.deepEqual(events, [{ event: undefined, data: 'café' }]);
  });
});
