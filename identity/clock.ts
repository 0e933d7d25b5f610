/**
 * Time as the identity service sees it, injectable so tests can move it instead of waiting.
 *
 * - `now()` is monotonic milliseconds (it never jumps back when the wall clock is corrected): the
 *   rate limiter, the circuit breaker, deadlines and the L1 time to live use it.
 * - `date()` is the wall clock: `verifiedAt` stamps and the L2 freshness of rows written by other
 *   processes (or before a restart) use it.
 * - `sleep(ms)` resolves no earlier than `now() + ms`.
 */
export interface Clock {
  now(): number;
  date(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.ceil(ms)))),
};
