/**
 * Sliding one-second window: a request is accepted while fewer than `rate` accepted requests
 * started in the last 1000 ms. Unlike a fixed window this never lets a burst of 2x through
 * across a second boundary, which keeps the gateway's throttling tests honest.
 */

const WINDOW_MS = 1000;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /**
   * Unix epoch seconds, to the millisecond, at which the oldest counted request leaves the window. Whole
   * seconds would be up to a second late for a one-second window, and a client pausing until then would
   * use its budget only half; some real APIs (Discord's X-RateLimit-Reset) send fractions for that reason.
   */
  resetEpochSeconds: number;
  /** Whole seconds until a slot frees (only meaningful when not allowed). */
  retryAfterSeconds: number;
}

export class SlidingWindowLimiter {
  readonly rate: number;
  /** Start times of accepted requests inside the window, oldest first. */
  #starts: number[] = [];

  /** `rate` is a whole number > 0; the app skips the limiter entirely for 0 (unlimited). */
  constructor(rate: number) {
    this.rate = rate;
  }

  take(now: number = Date.now()): RateDecision {
    const cutoff = now - WINDOW_MS;
    let expired = 0;
    while (expired < this.#starts.length && this.#starts[expired]! <= cutoff) expired++;
    if (expired > 0) this.#starts.splice(0, expired);

    const allowed = this.#starts.length < this.rate;
    if (allowed) this.#starts.push(now);
    const oldest = this.#starts[0] ?? now;
    const freesAt = oldest + WINDOW_MS;
    return {
      allowed,
      limit: this.rate,
      remaining: Math.max(0, this.rate - this.#starts.length),
      resetEpochSeconds: Math.ceil(freesAt) / 1000,
      retryAfterSeconds: Math.max(1, Math.ceil((freesAt - now) / 1000)),
    };
  }

  clear(): void {
    this.#starts = [];
  }
}
