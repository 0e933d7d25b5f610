/**
 * Requests per minute per agreement: a token bucket per key, held in this router process (with
 * several router replicas each allows the limit; divide it by the replicas in the agreement).
 * A bucket holds up to `perMinute` tokens, starts full and refills continuously at
 * perMinute / 60 tokens a second, so a partner may burst up to its minute's allowance and then
 * proceeds at the steady rate. Memory: one bucket per agreement that has made a request.
 */
export class RateLimiter {
  /**
   * Credit in token-milliseconds-per-minute: one token is 60,000 units and a bucket gains
   * `perMinute` units a millisecond, so whole-number inputs refill exactly (no float drift
   * making a token arrive a millisecond late).
   */
  private readonly buckets = new Map<string, { credit: number; at: number }>();

  /**
   * Spends one token of `key` at time `now` (ms). Returns null when allowed, else the whole
   * number of seconds (at least 1) until a token will be available. A changed `perMinute` (an
   * agreement reloaded) applies from this call on.
   */
  take(key: string, perMinute: number, now: number): number | null {
    if (!(perMinute > 0)) return 60;
    const token = 60_000;
    const capacity = perMinute * token;
    const bucket = this.buckets.get(key) ?? { credit: capacity, at: now };
    bucket.credit = Math.min(capacity, bucket.credit + Math.max(0, now - bucket.at) * perMinute);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.credit >= token) {
      bucket.credit -= token;
      return null;
    }
    return Math.max(1, Math.ceil((token - bucket.credit) / perMinute / 1000));
  }
}
