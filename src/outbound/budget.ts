/**
 * An app's rate budget: at most `requests` calls in any window of `perMs`, counted where the calls are
 * sent, and a pause that holds every call (after a 429 or an exhausted rate-limit header). The in-process
 * budget serves one replica; the Redis budget (store/redis/redis-budget.ts) is shared by all of them,
 * with the same algorithm.
 *
 * A sliding log rather than a token bucket: an app that enforces "N per second" over a sliding window is
 * never sent N+1 within one, however the calls bunch. A small guard added to the window absorbs the
 * jitter between sending a call and its arrival at the app.
 *
 * Grants are also spaced at least 90% of perMs/requests apart (from one grant to the next; answers don't
 * count here): a budget of N per window would otherwise go out as bursts of N at the start of each window,
 * which apps that enforce smaller bursts (token buckets) refuse, and which end on a "remaining: 0" header
 * that pauses the whole app. The 10% slack lets a late grant catch up; the log still caps each window.
 *
 * A call is counted when it is granted and counted again from its answer (settle): the app counted it on
 * arrival, somewhere before the answer. Counted only from the grant, a call that took long to arrive (over
 * a new connection: TCP and TLS handshakes) would leave the window too early, and the next window's calls,
 * sent over warm connections, would reach the app while it still counts the slow one: 429s.
 */
import { UnavailableError } from '../errors.ts';
import { systemClock, type Clock } from './clock.ts';

export interface Limit {
  requests: number;
  perMs: number;
  /** Space grants evenly (default). False allows a whole window's budget at once. */
  smooth?: boolean;
}

/** One budget a call counts against: the app's (`app:main`) or a per-key bucket's (`app:b:name:key`). */
export interface BudgetUse {
  key: string;
  limit: Limit;
}

export interface RateBudget {
  /** 0 when a call may go now (and it is counted), else how many ms to wait before asking again. */
  take(key: string, limit: Limit): Promise<number>;
  /**
   * All or nothing over several keys of one app: 0 when every one may go now (each is counted), else how
   * many ms until all might (none is counted). Taking them one after another would count a call in the
   * first budget while it still waits for the next, and send it later than counted: the first budget's
   * slot then frees too early and the app sees more than its limit in a window. `grant` names the count
   * for settle().
   */
  takeAll(uses: readonly BudgetUse[], grant?: string): Promise<number>;
  /** The call granted as `grant` has been answered (or failed): it counts from now instead. */
  settle(uses: readonly BudgetUse[], grant: string): Promise<void>;
  /** Holds every call of `key`'s app until `ms` from now (never shortens a longer pause). */
  pause(key: string, ms: number): Promise<void>;
  close?(): Promise<void>;
}

/** The smallest time between two grants of one budget: 90% of its even spacing (0 for one call per window). */
export function spacingFor(limit: Limit): number {
  if (limit.smooth === false) return 0;
  const requests = Math.floor(limit.requests);
  return requests > 1 ? Math.floor((0.9 * limit.perMs) / requests) : 0;
}

/** The guard added to each window: 2 % of it, at least 10 ms, at most 250 ms. */
export function guardFor(perMs: number): number {
  return Math.min(250, Math.max(10, Math.round(perMs * 0.02)));
}

/**
 * Waits until every budget of a call has room, or throws a 503 whose Retry-After is the wait when the wait
 * would pass the deadline (Entra then retries later instead of timing out on a hanging request).
 */
export async function acquireAll(
  budget: RateBudget,
  uses: readonly BudgetUse[],
  deadline: number,
  options: { signal?: AbortSignal; grant?: string; clock?: Clock } = {},
): Promise<number> {
  const clock = options.clock ?? systemClock;
  let waited = 0;
  for (;;) {
    const wait = await budget.takeAll(uses, options.grant);
    if (wait <= 0) return waited;
    if (clock.now() + wait >= deadline) {
      throw new UnavailableError("The app's rate budget is used up for now; retry later", wait / 1000);
    }
    // A little jitter keeps replicas that wait for the same slot from asking at the same instant.
    const pause = wait + Math.floor(Math.random() * 5);
    await clock.sleep(pause, options.signal);
    waited += pause;
  }
}

interface Log {
  window: number;
  /** When the last call was granted (settle() does not move it): the spacing is measured from there. */
  lastGrant: number;
  /** Oldest first; `grant` names an entry that settle() will move to its answer. */
  entries: { at: number; grant: string | undefined }[];
}

const SWEEP_EVERY = 1000;

/**
 * Drops the entries at or before `cutoff` from the front of a log kept oldest first. Every call used to
 * filter the whole window's log into a new array: at a budget of thousands per window that was most of
 * the call's cost.
 */
function dropExpired(entries: Log['entries'], cutoff: number): void {
  let expired = 0;
  while (expired < entries.length && entries[expired]!.at <= cutoff) expired++;
  if (expired > 0) entries.splice(0, expired);
}

/** Where `grant`'s entry is: searched from the newest, since a call is answered soon after its grant. */
function lastIndexOfGrant(entries: Log['entries'], grant: string): number {
  for (let index = entries.length - 1; index >= 0; index--) if (entries[index]!.grant === grant) return index;
  return -1;
}

/** One process's budget: the same sliding log, in memory. */
export class LocalBudget implements RateBudget {
  readonly #logs = new Map<string, Log>();
  readonly #paused = new Map<string, number>();
  readonly #now: () => number;
  #untilSweep = SWEEP_EVERY;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async take(key: string, limit: Limit): Promise<number> {
    return this.takeAll([{ key, limit }]);
  }

  async takeAll(uses: readonly BudgetUse[], grant?: string): Promise<number> {
    const now = this.#now();
    let wait = 0;
    const logs: Log[] = [];
    for (const { key, limit } of uses) {
      const pausedUntil = this.#paused.get(pauseKey(key)) ?? 0;
      if (pausedUntil > now) return pausedUntil - now;
      const window = limit.perMs + guardFor(limit.perMs);
      const log = this.#logs.get(key) ?? { window, lastGrant: Number.NEGATIVE_INFINITY, entries: [] };
      log.window = window;
      dropExpired(log.entries, now - window);
      this.#logs.set(key, log);
      logs.push(log);
      const allowed = Math.max(1, Math.floor(limit.requests));
      // Room comes when enough of the oldest have left for the count to drop below the limit.
      if (log.entries.length >= allowed)
        wait = Math.max(wait, 1, log.entries[log.entries.length - allowed]!.at + log.window - now);
      const spacing = spacingFor(limit);
      if (now - log.lastGrant < spacing) wait = Math.max(wait, spacing - (now - log.lastGrant));
    }
    if (wait > 0) return wait;
    for (const log of logs) {
      log.entries.push({ at: now, grant });
      log.lastGrant = now;
    }
    if (--this.#untilSweep <= 0) this.#sweep(now);
    return 0;
  }

  async settle(uses: readonly BudgetUse[], grant: string): Promise<void> {
    const now = this.#now();
    for (const { key, limit } of uses) {
      const log = this.#logs.get(key) ?? {
        window: limit.perMs + guardFor(limit.perMs),
        lastGrant: Number.NEGATIVE_INFINITY,
        entries: [],
      };
      // Now is at least every entry's time, so the log stays oldest first.
      const index = lastIndexOfGrant(log.entries, grant);
      if (index >= 0) log.entries.splice(index, 1);
      log.entries.push({ at: now, grant: undefined });
      this.#logs.set(key, log);
    }
  }

  /** Drops logs whose calls have all left their window: per-user bucket keys would otherwise pile up. */
  #sweep(now: number): void {
    this.#untilSweep = SWEEP_EVERY;
    for (const [key, log] of this.#logs) if ((log.entries.at(-1)?.at ?? 0) <= now - log.window) this.#logs.delete(key);
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
