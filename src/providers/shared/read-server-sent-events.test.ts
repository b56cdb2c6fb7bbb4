import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
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

  it('parses the same events however the bytes are cut, a line spanning many chunks included', async () => {
    const text = `data: ${'x'.repeat(300)}\r\n\r\n: note\revent: e\rdata: a\r\rdata: b\ndata: c\n\n`;
    const whole = await parse([text]);
    assert.equal(whole.length, 3);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), text.length];
          const chunks = points.slice(1).map((end, index) => text.slice(points[index], end));
          assert.deepEqual(await parse(chunks), whole);
        },
      ),
      { numRuns: 300, seed: 3 },
    );
  });
});
