/**
 * A clock tests move by hand: `sleep` waits until `advance` passes its time. Between timers the code they
 * wake runs to its next wait (real I/O included, a few turns of the event loop), so a test reads as a
 * timeline — "advance 200 ms, expect the second call" — and never waits for the wall clock.
 */
import type { Clock } from '../../src/outbound/clock.ts';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Lets woken code run until it waits again: microtasks, and a few macrotask turns for I/O callbacks. */
export async function settle(turns = 10): Promise<void> {
  for (let index = 0; index < turns; index++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers: Timer[] = [];

  constructor(start = Date.UTC(2026, 0, 5, 10, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      // No wait at all needs no advance (a retry that goes at once).
      if (ms <= 0) return void queueMicrotask(resolve);
      const timer: Timer = {
        at: this.#now + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.#timers.indexOf(timer);
        if (index >= 0) this.#timers.splice(index, 1);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#timers.push(timer);
    });
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer in order and letting what it wakes run. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (;;) {
      await settle();
      const due = this.#timers.filter((timer) => timer.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers.splice(this.#timers.indexOf(due), 1);
      this.#now = Math.max(this.#now, due.at);
      due.resolve();
    }
    this.#now = target;
    await settle();
  }

  /** Advances in steps until `done()` holds; throws after `maxMs` of fake time so a broken test ends. */
  async until(done: () => boolean, maxMs = 600_000, stepMs = 10): Promise<void> {
    const limit = this.#now + maxMs;
    await settle();
    while (!done()) {
      if (this.#now >= limit) throw new Error(`FakeClock.until: not done after ${maxMs} ms of fake time`);
      await this.advance(stepMs);
    }
  }
}
