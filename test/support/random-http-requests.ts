import { connect } from 'node:net';
import fc from 'fast-check';

/** One generated request: its bytes, and whether the client keeps its side open after sending them. */
export interface RandomHttpRequest {
  bytes: Buffer;
  /** True: the client never half-closes, so an incomplete request waits for the server's timeouts. */
  keepOpen: boolean;
}

/** What the server did with one request. */
export interface RawOutcome {
  /** Every status code the server sent on the connection (pipelined requests get several). */
  statuses: number[];
  /** False when the deadline passed with the connection still open and no answer: a hang. */
  settled: boolean;
}

const VALID = {
  model: 'auto',
  messages: [{ role: 'user', content: 'Hello' }],
  max_tokens: 16,
  stream: false,
};

const token = fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/);
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
const bytesOf = (maxLength: number) => fc.uint8Array({ maxLength }).map((array) => Buffer.from(array));

const method = fc.oneof(
  {
    weight: 20,
    arbitrary: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
  },
  { weight: 1, arbitrary: fc.constantFrom('CONNECT', 'TRACE', 'PRI', 'post', '') },
  { weight: 1, arbitrary: token },
);

const path = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions?stream=true',
      '/v1/models',
      '/v1/models/auto',
      '/health',
      '/ready',
      '/metrics',
    ),
  },
  { weight: 1, arbitrary: fc.webPath().map((value) => value || '/') },
  { weight: 1, arbitrary: anyText(200).map((value) => `/${value}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('*', 'http://evil/v1/chat/completions', '/%ff%00', `/${'a'.repeat(20_000)}`),
  },
);

const version = fc.oneof(
  { weight: 20, arbitrary: fc.constant('HTTP/1.1') },
  { weight: 1, arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/9', '') },
);

const headerName = fc.oneof(
  {
    weight: 24,
    arbitrary: fc.constantFrom(
      'content-type',
      'content-encoding',
      'authorization',
      'x-request-id',
      'x-switchyard-route',
      'x-switchyard-tenant',
      'connection',
      'expect',
      'accept',
      'upgrade',
      'trailer',
    ),
  },
  { weight: 1, arbitrary: token },
  { weight: 1, arbitrary: anyText(30) },
);

const headerValue = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'gzip',
      'close',
      'keep-alive',
      '100-continue',
      'cloud',
      'auto',
      'Bearer x',
    ),
  },
  { weight: 2, arbitrary: anyText(100) },
  // Over Node's 16 KiB limit on a request head.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((kib) => 'v'.repeat(kib * 1024)) },
);

const body = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ stream: fc.boolean() })
      .map(({ stream }) => Buffer.from(JSON.stringify({ ...VALID, stream }))),
  },
  {
    weight: 2,
    arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => Buffer.from(JSON.stringify(value) ?? '')),
  },
  { weight: 2, arbitrary: bytesOf(400) },
  { weight: 1, arbitrary: anyText(400).map((text) => Buffer.from(text, 'latin1')) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 200 }).map((kib) => Buffer.alloc(kib * 1024, 'x')) },
);

/** How the body is framed: well, or in one of the ways HTTP parsers disagree about. */
const framing = fc.oneof(
  { weight: 8, arbitrary: fc.constant('content-length' as const) },
  { weight: 2, arbitrary: fc.constant('chunked' as const) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'none' as const,
      'duplicate-length' as const,
      'conflicting-lengths' as const,
      'chunked-and-length' as const,
      'bad-chunks' as const,
      'bad-length' as const,
      'truncated' as const,
    ),
  },
);

function frame(kind: string, payload: Buffer): { headers: string[]; bytes: Buffer } {
  const length = String(payload.length);
  const chunked = Buffer.concat([
    Buffer.from(`${payload.length.toString(16)}\r\n`),
    payload,
    Buffer.from('\r\n0\r\n\r\n'),
  ]);
  switch (kind) {
    case 'content-length':
      return { headers: [`Content-Length: ${length}`], bytes: payload };
    case 'chunked':
      return { headers: ['Transfer-Encoding: chunked'], bytes: chunked };
    case 'duplicate-length':
      return { headers: [`Content-Length: ${length}`, `Content-Length: ${length}`], bytes: payload };
    case 'conflicting-lengths':
      return {
        headers: [`Content-Length: ${length}`, `Content-Length: ${payload.length + 7}`],
        bytes: payload,
      };
    case 'chunked-and-length':
      return { headers: ['Transfer-Encoding: chunked', `Content-Length: ${length}`], bytes: chunked };
    case 'bad-chunks':
      return {
        headers: ['Transfer-Encoding: chunked'],
        bytes: Buffer.concat([Buffer.from('zz\r\n'), payload]),
      };
    case 'bad-length':
      return { headers: ['Content-Length: -1, 5x'], bytes: payload };
    case 'truncated':
      return { headers: [`Content-Length: ${payload.length + 100}`], bytes: payload };
    default:
      return { headers: [], bytes: payload };
  }
}

/** Random HTTP/1.x requests, from well-formed chat calls to bytes no parser should accept. */
export const randomHttpRequest: fc.Arbitrary<RandomHttpRequest> = fc.oneof(
  {
    weight: 19,
    arbitrary: fc
      .record({
        method,
        path,
        version,
        headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
        body,
        framing,
        json: fc.oneof(
          { weight: 4, arbitrary: fc.constant(true) },
          { weight: 1, arbitrary: fc.constant(false) },
        ),
        keepOpen: fc.boolean(),
      })
      .map((request) => {
        const { headers, bytes } = frame(request.framing, request.body);
        const lines = [
          `${request.method} ${request.path} ${request.version}`,
          'Host: 127.0.0.1',
          ...(request.json ? ['Content-Type: application/json'] : []),
          ...request.headers.map(([name, value]) => `${name}: ${value}`),
          ...headers,
        ];
        const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
        // Only an incomplete request keeps its side open: it waits for the server's timeout.
        return {
          bytes: Buffer.concat([head, bytes]),
          keepOpen: request.keepOpen && request.framing === 'truncated',
        };
      }),
  },
  { weight: 1, arbitrary: bytesOf(2_000).map((bytes) => ({ bytes, keepOpen: false })) },
);

/**
 * Sends `request` on a fresh connection and collects the status codes the server answers with,
 * until the server closes the connection or `deadlineMs` passes.
 */
export function sendRawRequest(
  port: number,
  request: RandomHttpRequest,
  deadlineMs: number,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const finish = (settled: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const statuses = [...received.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]));
      resolve({ statuses, settled });
    };
    const timer = setTimeout(() => finish(false), deadlineMs);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', () => finish(true));
    socket.write(request.bytes);
    if (!request.keepOpen) socket.end();
  });
}
