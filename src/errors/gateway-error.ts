/** Options every gateway error takes: one object, so call sites read as sentences. */
export interface GatewayErrorOptions {
  message: string;
  /** OpenAI-style machine code, e.g. `model_not_found`. */
  code: string;
  /** The request field at fault, in OpenAI's notation (`messages[0].role`). */
  param?: string;
  cause?: unknown;
}

/**
 * Base of every error the gateway shows a client. Each subclass fixes its HTTP status, its OpenAI
 * error `type`, and whether trying again (or another target) may succeed.
 */
export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  readonly code: string;
  readonly param: string | undefined;
  /** Fallback and retry logic read this; a client's own mistake is never retryable. */
  readonly isRetryable: boolean = false;
  /** Seconds the client should wait before retrying (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined = undefined;

  constructor(options: GatewayErrorOptions) {
    super(options.message, { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.param = options.param;
  }

  /** The OpenAI error envelope body. */
  toJSON(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param ?? null } };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}
