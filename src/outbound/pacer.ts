/**
 * Feeds one app's calls at its declared budget: at most `requests` per `perMs` (a sliding window, so a
 * burst cannot start twice the budget across a window edge) and at most `concurrency` in flight. When the
 * app answers 429, `pause` holds every waiting call until the app's Retry-After has passed.
 *
 * This paces one process; issue #4 puts the budget in Redis so that replicas share it.
 */
import PQueue from 'p-queue';
import { UnavailableError } from '../errors.ts';

export interface PacerOptions {
  requests?: number;
  perMs?: number;
  concurrency?: number;
}

export class Pacer {
  readonly #queue: PQueue;
  /** Fired by close(): p-queue's clear() drops waiting calls without settling them, so they would hang. */
  readonly #closed = new AbortController();
  #resumeAt = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(options: PacerOptions = {}) {
    const concurrency = options.concurrency ?? 16;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(`Expected \`concurrency\` to be an integer >= 1, got \`${concurrency}\` (${typeof concurrency})`);
    }
    if (options.requests !== undefined && !(options.requests > 0)) {
      throw new TypeError(`Expected \`requests\` to be > 0, got \`${options.requests}\` (${typeof options.requests})`);
    }
    const perMs = options.perMs ?? 1000;
    if (!(Number.isFinite(perMs) && perMs > 0)) {
      throw new TypeError(`Expected \`perMs\` to be a finite number > 0, got \`${perMs}\` (${typeof perMs})`);
    }
    if (options.requests === undefined) {
      this.#queue = new PQueue({ concurrency });
      return;
    }
    // p-queue counts whole calls. Above 1 the cap rounds down (2.5 per 1 s → 2 per 1 s: never over budget in
    // any window); below 1 the window stretches instead (0.5 per 1 s → 1 per 2 s), since rounding the cap up to
    // 1 would double the declared rate.
    const intervalCap = Math.max(1, Math.floor(options.requests));
    const interval = options.requests < 1 ? perMs / options.requests : perMs;
    this.#queue = new PQueue({ concurrency, intervalCap, interval, strict: true });
  }

  /** Runs `work` when the budget allows; rejects with the signal's reason if it fires while waiting. */
  run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    // A dependent signal per call: listeners on the shared one would pile up (and warn) under load.
    const combined = AbortSignal.any(signal ? [signal, this.#closed.signal] : [this.#closed.signal]);
    return this.#queue.add(work, { signal: combined }) as Promise<T>;
  }

  /** Holds every call until `ms` from now (extends, never shortens, a pause already running). */
  pause(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#resumeAt) return;
    this.#resumeAt = until;
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => {
      this.#resumeAt = 0;
      this.#queue.start();
    }, ms);
    this.#resumeTimer.unref();
  }

  get waiting(): number {
    return this.#queue.size;
  }

  get inFlight(): number {
    return this.#queue.pending;
  }

  /** How long until a call queued now would start, roughly: for Retry-After on a 503. */
  get pausedForMs(): number {
    return Math.max(0, this.#resumeAt - Date.now());
  }

  /** Rejects every waiting call (and any later one) with a 503, so no SCIM request is left hanging. */
  close(): void {
    clearTimeout(this.#resumeTimer);
    if (!this.#closed.signal.aborted) this.#closed.abort(new UnavailableError('The app connection was closed (the configuration is being reloaded); retry later', 5));
    this.#queue.clear();
  }
}
