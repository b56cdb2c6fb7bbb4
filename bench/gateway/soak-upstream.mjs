// The soak's upstream: OpenAI-style answers, JSON or SSE (CHUNKS chunks, CHUNK_DELAY_MS apart),
// with FAULT_RATE of calls failing in turn as a 503, a connection reset before any answer, or an
// answer cut mid-way. Its keep-alive hint is short, so the gateway's idle connections to it close
// soon after the load stops and its descriptors can be compared with the start. Plain node:http.
import { createServer } from 'node:http';

const chunks = Number(process.env.CHUNKS ?? 20);
const chunkDelayMs = Number(process.env.CHUNK_DELAY_MS ?? 5);
const faultRate = Number(process.env.FAULT_RATE ?? 0.05);
let faultCounter = 0;
let faultKind = 0;

const model = 'gpt-4o-mini-2024-07-18';
const usage = { prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks };
const completion = JSON.stringify({
  id: 'chatcmpl-soak',
  object: 'chat.completion',
  created: 1,
  model,
  choices: [
    { index: 0, message: { role: 'assistant', content: 'Your order ships today.' }, finish_reason: 'stop' },
  ],
  usage,
});
const event = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageEvent = `data: ${JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function stream(response, cutAfter) {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  response.write(event({ role: 'assistant', content: '' }));
  for (let index = 0; index < chunks; index += 1) {
    if (chunkDelayMs > 0) await sleep(chunkDelayMs);
    if (response.destroyed) return;
    if (index === cutAfter) {
      response.destroy();
      return;
    }
    response.write(event({ content: ` word${index}` }));
  }
  response.write(event({}, 'stop'));
  response.write(usageEvent);
  response.end('data: [DONE]\n\n');
}

const server = createServer((request, response) => {
  const body = [];
  request.on('data', (part) => body.push(part));
  request.on('end', async () => {
    const streamed = Buffer.concat(body).includes('"stream":true');
    faultCounter += faultRate;
    if (faultCounter >= 1) {
      faultCounter -= 1;
      faultKind = (faultKind + 1) % 3;
      if (faultKind === 0) {
        response.writeHead(503, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"injected","type":"server_error"}}');
      } else if (faultKind === 1) request.socket.destroy();
      else if (streamed) await stream(response, Math.floor(chunks / 2));
      else {
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length });
        response.write(completion.slice(0, 20));
        response.destroy();
      }
      return;
    }
    if (streamed) {
      await stream(response, -1);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': completion.length });
    response.end(completion);
  });
});
server.keepAliveTimeout = 3_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
