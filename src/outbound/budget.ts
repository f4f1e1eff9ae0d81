/**
 * An app's rate budget: at most `requests` calls in any window of `perMs`, counted where the calls are
 * sent, and a pause that holds every call (after a 429 or an exhausted rate-limit header). The in-process
 * budget serves one replica; the Redis budget (store/redis/redis-budget.ts) is shared by all of them,
 * with the same algorithm.
 *
 * A sliding log rather than a token bucket: an app that enforces "N per second" over a sliding window is
 * never sent N+1 within one, however the calls bunch. A small guard added to the window absorbs the
 * jitter between sending a call and its arrival at the app.
 */
import { UnavailableError } from '../errors.ts';

export interface Limit {
  requests: number;
  perMs: number;
}

export interface RateBudget {
  /** 0 when a call may go now (and it is counted), else how many ms to wait before asking again. */
  take(key: string, limit: Limit): Promise<number>;
  /** Holds every call of `key`'s app until `ms` from now (never shortens a longer pause). */
  pause(key: string, ms: number): Promise<void>;
  close?(): Promise<void>;
}

/** The guard added to each window: 2 % of it, at least 10 ms, at most 250 ms. */
export function guardFor(perMs: number): number {
  return Math.min(250, Math.max(10, Math.round(perMs * 0.02)));
}

/**
 * Waits until `key` may send, or throws a 503 whose Retry-After is the wait when the wait would pass the
 * deadline (Entra then retries later instead of timing out on a hanging request).
 */
export async function acquire(budget: RateBudget, key: string, limit: Limit, deadline: number, signal?: AbortSignal): Promise<number> {
  let waited = 0;
  for (;;) {
    const wait = await budget.take(key, limit);
    if (wait <= 0) return waited;
    if (Date.now() + wait >= deadline) {
      throw new UnavailableError('The app\'s rate budget is used up for now; retry later', wait / 1000);
    }
    // A little jitter keeps replicas that wait for the same slot from asking at the same instant.
    const pause = wait + Math.floor(Math.random() * 5);
    await sleep(pause, signal);
    waited += pause;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One process's budget: the same sliding log, in memory. */
export class LocalBudget implements RateBudget {
  readonly #logs = new Map<string, number[]>();
  readonly #paused = new Map<string, number>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async take(key: string, limit: Limit): Promise<number> {
    const now = this.#now();
    const pausedUntil = this.#paused.get(pauseKey(key)) ?? 0;
    if (pausedUntil > now) return pausedUntil - now;
    const window = limit.perMs + guardFor(limit.perMs);
    const log = (this.#logs.get(key) ?? []).filter((at) => at > now - window);
    if (log.length < Math.max(1, Math.floor(limit.requests))) {
      log.push(now);
      this.#logs.set(key, log);
      return 0;
    }
    this.#logs.set(key, log);
    return Math.max(1, log[0]! + window - now);
  }

  async pause(key: string, ms: number): Promise<void> {
    const until = this.#now() + ms;
    const current = this.#paused.get(pauseKey(key)) ?? 0;
    if (until > current) this.#paused.set(pauseKey(key), until);
  }
}

/** Buckets of one app pause together: the pause is keyed by the app part of the key ("app:…"). */
export function pauseKey(key: string): string {
  return key.split(':')[0] ?? key;
}
