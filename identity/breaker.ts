import type { Clock } from './clock';

/**
 * Circuit breaker in front of the Civil Registry: after `failureThreshold` consecutive failures
 * (network errors, timeouts, 5xx, malformed answers) it opens and calls fail at once, without a
 * network attempt, for `coolDownMs`. Then it half-opens: exactly one call (the probe) goes
 * through; its success closes the breaker, its failure opens it for another cool-down. Other
 * calls fail at once while the probe is out.
 */

export interface BreakerOptions {
  failureThreshold: number;
  coolDownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly clock: Clock,
  ) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`expected failureThreshold to be a whole number >= 1, got ${options.failureThreshold}`);
    }
    if (!(options.coolDownMs >= 0)) throw new RangeError(`expected coolDownMs >= 0, got ${options.coolDownMs}`);
  }

  get state(): BreakerState {
    if (this.openedAt === null) return 'closed';
    return this.clock.now() - this.openedAt >= this.options.coolDownMs ? 'half-open' : 'open';
  }

  /** Why a call would be refused now (open, or a probe already out); null when it may try. Takes nothing. */
  refusal(): string | null {
    const state = this.state;
    if (state === 'closed') return null;
    if (state === 'half-open') return this.probing ? 'a probe call is checking whether it answers again' : null;
    const retryInMs = Math.ceil(this.options.coolDownMs - (this.clock.now() - (this.openedAt as number)));
    return `${this.failures} calls in a row failed; the next attempt is in ${Math.max(0, retryInMs)} ms`;
  }

  /** Takes the right to call now: true when closed, or as the one probe of a half-open breaker. */
  acquire(): boolean {
    if (this.refusal() !== null) return false;
    if (this.state === 'half-open') this.probing = true;
    return true;
  }

  /** The call answered well. */
  succeeded(): void {
    this.failures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  /** The call failed in a way that says the upstream is not working. */
  failed(): void {
    this.failures += 1;
    if (this.probing || this.failures >= this.options.failureThreshold) this.openedAt = this.clock.now();
    this.probing = false;
  }

  /** The call ended without saying anything about the upstream's health (e.g. it asked us to slow down). */
  released(): void {
    this.probing = false;
  }
}
