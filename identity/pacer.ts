import type { Clock } from './clock';

/**
 * The client side of the upstream's rate: a token bucket of capacity one, i.e. calls start at
 * least `1000 / ratePerSecond × (1 + PACING_MARGIN)` ms apart, whoever asks. A bucket of capacity
 * `rate` would let 2 × rate calls into one second (a full bucket plus its refill); capacity one
 * keeps every one-second window at or under the rate.
 *
 * Turns are handed out at reservation time (first come, first served), so a caller learns at once
 * when its call would start and can refuse a turn past its deadline instead of queueing for it.
 * The limit is per process: N replicas of the registers subgraph share the upstream's rate only if
 * each is given 1/N of it.
 */

/**
 * Extra spacing so that jitter between sending and the upstream's clock (a connection being
 * opened, a busy event loop) cannot bunch two calls into one of the upstream's seconds.
 */
export const PACING_MARGIN = 0.05;

export class Pacer {
  readonly intervalMs: number;
  /** Earliest start of the next call. */
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    ratePerSecond: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`expected a rate above 0 requests per second, got ${ratePerSecond}`);
    this.intervalMs = (1000 / ratePerSecond) * (1 + PACING_MARGIN);
  }

  /** When the next reservation made now would start (a `Clock.now()` value). */
  nextTurn(): number {
    return Math.max(this.clock.now(), this.next);
  }

  /** Reserves the next turn when it starts by `deadline`: its start time; null (nothing reserved) otherwise. */
  reserve(deadline: number): number | null {
    const turn = this.nextTurn();
    if (turn > deadline) return null;
    this.next = turn + this.intervalMs;
    return turn;
  }

  /** No turn reserved from now on starts before `time` (the upstream asked us to back off). */
  holdUntil(time: number): void {
    this.next = Math.max(this.next, time);
  }

  /** Resolves at `turn` (never earlier, whatever the timer's rounding). */
  async waitFor(turn: number): Promise<void> {
    for (let now = this.clock.now(); now < turn; now = this.clock.now()) await this.clock.sleep(turn - now);
  }
}
