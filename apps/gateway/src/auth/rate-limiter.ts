/**
 * Requests per second, counted in one-second windows per key. Answers how long to wait when a key
 * is over its limit. Keys live one window: memory follows the number of active callers.
 */
export class RateLimiter {
  private window = 0;
  private counts = new Map<string, number>();

  constructor(private readonly perSecond: number, private readonly now: () => number = Date.now) {}

  /** Counts one request for `key`; returns 0 when it may go on, else the seconds to wait (Retry-After). */
  take(key: string): number {
    if (this.perSecond <= 0) return 0;
    const t = this.now();
    const window = Math.floor(t / 1000);
    if (window !== this.window) {
      this.window = window;
      this.counts = new Map();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count > this.perSecond ? 1 : 0;
  }
}
