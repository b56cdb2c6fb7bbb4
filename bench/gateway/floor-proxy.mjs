// The least a Node.js gateway does per request, as a reference for bench/gateway/RESULTS.md: a plain
// node:http server that reads the JSON body, parses it, posts it to the upstream over a keep-alive
// agent, parses the answer and sends it back re-serialised. No framework, no validation, no routing,
// no log, no metrics, no error handling beyond a 502. Not part of Switchyard.
// Run: UPSTREAM=http://127.0.0.1:PORT PORT=... node bench/gateway/floor-proxy.mjs
import { Agent, createServer, request as httpRequest } from 'node:http';

const upstream = new URL('/v1/chat/completions', process.env.UPSTREAM ?? 'http://127.0.0.1:8000');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function readBody(stream) {
  return new Promise((resolve, reject) => {
    const parts = [];
    stream.on('data', (part) => parts.push(part));
    stream.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    stream.on('error', reject);
  });
}

const server = createServer(async (request, response) => {
  try {
    const body = JSON.parse(await readBody(request));
    const payload = JSON.stringify({ ...body, model: 'gpt-4o-mini' });
    const answer = await new Promise((resolve, reject) => {
      const outgoing = httpRequest(
        upstream,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (incoming) => readBody(incoming).then(resolve, reject),
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
    const text = JSON.stringify(JSON.parse(answer));
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  } catch {
    response.writeHead(502).end();
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
