/**
 * Feeds one app's calls at its declared budget: at most `requests` per `perMs` (a sliding window, so a
 * burst cannot start twice the budget across a window edge) and at most `concurrency` in flight. When the
 * app answers 429, `pause` holds every waiting call until the app's Retry-After has passed.
 *
 * This paces one process; issue #4 puts the budget in Redis so that replicas share it.
 */
import PQueue from 'p-queue';

export interface PacerOptions {
  requests?: number;
  perMs?: number;
  concurrency?: number;
}

export class Pacer {
  readonly #queue: PQueue;
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
    this.#queue =
      options.requests === undefined
        ? new PQueue({ concurrency })
        : new PQueue({ concurrency, intervalCap: Math.max(1, Math.floor(options.requests)), interval: options.perMs ?? 1000, strict: true });
  }

  /** Runs `work` when the budget allows; rejects with the signal's reason if it fires while waiting. */
  run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#queue.add(work, { signal }) as Promise<T>;
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

  close(): void {
    clearTimeout(this.#resumeTimer);
    this.#queue.clear();
  }
}
