import { GatewayError } from './gateway-error.js';

/**
 * A streaming client stopped reading: its answer could not be written for `server.streamWriteTimeoutMs`,
 * so the stream was ended and its upstream call cancelled. Recorded with status 408; the client,
 * not reading, is sent nothing more.
 */
export class StreamWriteTimeoutError extends GatewayError {
  readonly status = 408;
  readonly type = 'invalid_request_error';

  constructor(options: { timeoutMs: number }) {
    super({
      message: `The client read nothing of its stream for ${options.timeoutMs} ms (server.streamWriteTimeoutMs); the stream was ended.`,
      code: 'stream_write_timeout',
    });
  }
}
