/** A command was given input it cannot use (a missing file, a bad flag value): printed as one sentence. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}
