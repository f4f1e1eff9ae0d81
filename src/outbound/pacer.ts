/**
 * Feeds one app's calls at its budget. Each call waits, in arrival order, for one of `concurrency` slots
 * on this replica, then for the app's budget (at most `requests` per `perMs` across every replica sharing
 * the budget store) and for any per-key bucket ("5 updates a minute per user"). When the app answers 429,
 * `pause` holds every replica's calls until its Retry-After has passed.
 *
 * A call that cannot start before its SCIM request's deadline fails at once with a 503 whose Retry-After
 * is the expected drain time of the queue, instead of hanging until Entra gives up.
 */
import { randomUUID } from 'node:crypto';
import { UnavailableError } from '../errors.ts';
import type { Metrics } from '../observability/metrics.ts';
import { seriesOf } from '../observability/metric-children.ts';
import { acquireAll, LocalBudget, type BudgetUse, type Limit, type RateBudget } from './budget.ts';
import { systemClock, type Clock } from './clock.ts';
import { linkedSignal, type LinkedSignal } from './linked-signal.ts';
import { Slots } from './slots.ts';

export interface PacerOptions {
  /** Budget key of the app (shared by its replicas). */
  app?: string;
  requests?: number;
  perMs?: number;
  concurrency?: number;
  budget?: RateBudget;
  metrics?: Metrics;
  clock?: Clock;
}

export interface BucketUse {
  /** The bucket's name and the value it is counted per (a user's app id, say). */
  name: string;
  key: string;
  limit: Limit;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Epoch ms; the call is refused with a 503 when it cannot start before then. */
  deadline?: number;
  buckets?: BucketUse[];
}

export class Pacer {
  readonly #queue: Slots;
  readonly #app: string;
  readonly #limit: Limit | undefined;
  readonly #budget: RateBudget;
  /** This app's series, labelled once. */
  readonly #metrics:
    | { depth: { set(value: number): void }; wait: { observe(value: number): void }; granted: { inc(): void } }
    | undefined;
  readonly #clock: Clock;
  /** Fired by close(): every call still waiting is rejected. */
  readonly #closed = new AbortController();
  #resumeAt = 0;

  constructor(options: PacerOptions = {}) {
    if (options.requests !== undefined && !(options.requests > 0)) {
      throw new TypeError(`Expected \`requests\` to be > 0, got \`${options.requests}\` (${typeof options.requests})`);
    }
    const perMs = options.perMs ?? 1000;
    if (!(Number.isFinite(perMs) && perMs > 0)) {
      throw new TypeError(`Expected \`perMs\` to be a finite number > 0, got \`${perMs}\` (${typeof perMs})`);
    }
    this.#app = options.app ?? 'app';
    // Below one call per window the window stretches instead (0.5 per 1 s → 1 per 2 s): rounding the count
    // up to 1 would double the declared rate.
    this.#limit =
      options.requests === undefined
        ? undefined
        : options.requests < 1
          ? { requests: 1, perMs: perMs / options.requests }
          : { requests: Math.floor(options.requests), perMs };
    this.#clock = options.clock ?? systemClock;
    this.#budget = options.budget ?? new LocalBudget(() => this.#clock.now());
    const labels = { app: this.#app };
    this.#metrics = options.metrics && {
      depth: seriesOf(options.metrics.queueDepth, labels),
      wait: seriesOf(options.metrics.queueWait, labels),
      granted: seriesOf(options.metrics.budgetGranted, labels),
    };
    this.#queue = new Slots(options.concurrency ?? 16);
  }

  /** Runs `work` when a slot and the budget allow; rejects with the signal's reason if it fires while waiting. */
  run<T>(work: () => Promise<T>, options: RunOptions | AbortSignal = {}): Promise<T> {
    const { signal, deadline, buckets = [] } = options instanceof AbortSignal ? { signal: options } : options;
    if (deadline !== undefined) {
      const drain = this.drainEstimateMs;
      if (this.#clock.now() + drain >= deadline) {
        return Promise.reject(
          new UnavailableError('Too many calls to this app are waiting; retry later', drain / 1000),
        );
      }
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.#closed.signal.aborted) return Promise.reject(this.#closed.signal.reason as Error);
    // The queue drops a call whose signal fires while it waits; once the work runs, the signal must no
    // longer reject it (a write already sent has to reach its answer), so the waits get a signal that
    // follows the request's and the pacer's only until then. It is made when a call first has to wait:
    // most find a free slot and budget at once.
    let waiting: LinkedSignal | undefined;
    const waitSignal = () => (waiting ??= linkedSignal([signal, this.#closed.signal])).signal;
    const queued = this.#clock.now();
    this.#metrics?.depth.set(this.#queue.size + 1);
    const task = async () => {
      const end = deadline ?? Number.POSITIVE_INFINITY;
      // The app's budget and the call's buckets are taken together, all or nothing (see takeAll): taken
      // one by one, a call would be counted in the app's budget while it still waited for its bucket.
      const uses: BudgetUse[] = this.#limit ? [{ key: `${this.#app}:main`, limit: this.#limit }] : [];
      for (const bucket of buckets)
        uses.push({ key: `${this.#app}:b:${bucket.name}:${bucket.key}`, limit: bucket.limit });
      const grant = uses.length ? randomUUID() : undefined;
      try {
        if (grant) {
          // The shared budget also carries the shared pause.
          await acquireAll(this.#budget, uses, end, {
            get signal() {
              return waitSignal();
            },
            grant,
            clock: this.#clock,
          });
          if (this.#limit) this.#metrics?.granted.inc();
        } else if (this.pausedForMs > 0) {
          if (this.#clock.now() + this.pausedForMs >= end)
            throw new UnavailableError('The app asked the gateway to wait; retry later', this.pausedForMs / 1000);
          await this.#clock.sleep(this.pausedForMs, waitSignal());
        }
      } finally {
        waiting?.release();
      }
      this.#metrics?.wait.observe((this.#clock.now() - queued) / 1000);
      this.#metrics?.depth.set(this.#queue.size);
      try {
        return await work();
      } finally {
        // Counted again from the answer (see budget.ts); a store outage only loses this correction.
        if (grant) this.#budget.settle(uses, grant).catch(() => undefined);
      }
    };
    if (this.#queue.free) return this.#queue.run(task);
    return this.#queue.run(task, waitSignal()).finally(() => waiting?.release());
  }

  /** Holds every call (on every replica sharing the budget) until `ms` from now. */
  pause(ms: number): void {
    this.#resumeAt = Math.max(this.#resumeAt, this.#clock.now() + ms);
    this.#budget.pause(this.#app, ms).catch(() => undefined);
  }

  get waiting(): number {
    return this.#queue.size;
  }

  get inFlight(): number {
    return this.#queue.pending;
  }

  get pausedForMs(): number {
    return Math.max(0, this.#resumeAt - this.#clock.now());
  }

  /** How long a call queued now would wait, as far as this replica can tell: for Retry-After. */
  get drainEstimateMs(): number {
    const interval = this.#limit ? this.#limit.perMs / this.#limit.requests : 0;
    return this.pausedForMs + (this.#queue.size + this.#queue.pending) * interval;
  }

  /** How long `calls` more calls take at the budget, after what is already queued. */
  estimateMs(calls: number): number {
    const interval = this.#limit ? this.#limit.perMs / this.#limit.requests : 0;
    return this.drainEstimateMs + calls * interval;
  }

  /** Rejects every waiting call (and any later one) with a 503, so no SCIM request is left hanging. */
  close(): void {
    if (!this.#closed.signal.aborted)
      this.#closed.abort(
        new UnavailableError('The app connection was closed (the configuration is being reloaded); retry later', 5),
      );
  }
}
