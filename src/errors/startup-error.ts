/**
 * The gateway cannot start for a reason the user can fix (a missing model file, an offline
 * download). The CLI prints the message alone, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}
