import type { Socket } from 'node:net';
import { isDiscardingBody } from './discard-refused-body.js';

/** How long an answered bad connection may stay open for its client to read the answer and close. */
const LINGER_MS = 2_000;

const answered = new WeakSet<Socket>();

const ANSWERS: Record<string, { status: string; message: string; code: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: '408 Request Timeout',
    message: 'The request was not received in time.',
    code: 'request_timeout',
  },
  HPE_HEADER_OVERFLOW: {
    status: '431 Request Header Fields Too Large',
    message: 'The request headers are too large.',
    code: 'headers_too_large',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: '413 Payload Too Large',
    message: 'The request has too many chunk extensions.',
    code: 'payload_too_large',
  },
};

const BAD_REQUEST = {
  status: '400 Bad Request',
  message: 'The request is not valid HTTP.',
  code: 'bad_request',
};

/**
 * Answers what never became a request (malformed HTTP, headers too large, a request not received
 * in time) in OpenAI's envelope, then closes the connection. The client's pending bytes are read
 * and dropped for a moment first: closing with them unread would reset the connection and lose the
 * answer. A socket whose request was already answered (a refused body still arriving) gets nothing
 * more.
 */
export function answerClientError(error: Error, socket: Socket): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  if (!socket.writable || isDiscardingBody(socket)) {
    socket.destroy();
    return;
  }
  const answer = ANSWERS[(error as NodeJS.ErrnoException).code ?? ''] ?? BAD_REQUEST;
  const body = JSON.stringify({
    error: { message: answer.message, type: 'invalid_request_error', code: answer.code, param: null },
  });
  socket.end(
    `HTTP/1.1 ${answer.status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.resume();
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}
