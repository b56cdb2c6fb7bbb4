// A minimal OpenAI-compatible upstream for benchmarks: a fixed completion with usage, or SSE with
// CHUNKS chunks and CHUNK_DELAY_MS between them. Plain node:http, nothing else.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
const chunks = Number(process.env.CHUNKS ?? 20);
const chunkDelayMs = Number(process.env.CHUNK_DELAY_MS ?? 0);
// Share of requests answered with an injected fault (503, a reset connection, or a hang).
const faultRate = Number(process.env.FAULT_RATE ?? 0);
let faultCounter = 0;

const completion = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini-2024-07-18',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The quick brown fox jumps over the lazy dog.' },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 24, completion_tokens: 10, total_tokens: 34 },
});
const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 24, completion_tokens: chunks, total_tokens: 24 + chunks } })}\n\n`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = createServer((request, response) => {
  const body = [];
  request.on('data', (part) => body.push(part));
  request.on('end', async () => {
    const stream = Buffer.concat(body).includes('"stream":true');
    // Deterministic spread: every 1/faultRate-th request fails, cycling through the fault kinds.
    faultCounter += faultRate;
    if (faultCounter >= 1) {
      faultCounter -= 1;
      const kind = Math.floor(Math.random() * 3);
      if (kind === 0) {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"injected","type":"server_error"}}');
      } else if (kind === 1) request.socket.destroy();
      // kind 2: never answer; the gateway's first-byte timeout ends it.
      return;
    }
    if (!stream) {
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(completion),
      });
      response.end(completion);
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(chunk({ role: 'assistant', content: '' }));
    for (let index = 0; index < chunks; index += 1) {
      if (chunkDelayMs > 0) await sleep(chunkDelayMs);
      if (response.destroyed) return;
      response.write(chunk({ content: ` word${index}` }));
    }
    response.write(chunk({}, 'stop'));
    response.write(usageChunk);
    response.end('data: [DONE]\n\n');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
