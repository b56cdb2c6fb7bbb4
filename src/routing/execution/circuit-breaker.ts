import type { CircuitBreakerConfig } from '../../config/index.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Stops traffic to a target that keeps failing. Closed: calls pass, consecutive failures are
 * counted. Open (after `failureThreshold` of them): calls are refused for `cooldownMs`. Half-open:
 * one probe call is let through; its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private currentState: CircuitState = 'closed';
  private probeInFlight = false;

  constructor(
    private readonly config: CircuitBreakerConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): CircuitState {
    if (this.currentState === 'open' && this.now() - this.openedAt >= this.config.cooldownMs) {
      this.currentState = 'half-open';
      this.probeInFlight = false;
    }
    return this.currentState;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  get retryAfterMs(): number {
    return this.state === 'open' ? Math.max(0, this.config.cooldownMs - (this.now() - this.openedAt)) : 0;
  }

  /** Asks to make one call; true means go ahead (and report the outcome). */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    this.currentState = 'closed';
  }

  recordFailure(): void {
    this.probeInFlight = false;
    this.failures += 1;
    if (this.currentState === 'half-open' || this.failures >= this.config.failureThreshold) {
      this.currentState = 'open';
      this.openedAt = this.now();
    }
  }

  /** A call that was let through ended without a verdict on the target (the client left). */
  release(): void {
    this.probeInFlight = false;
  }
}
