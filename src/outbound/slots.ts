/**
 * At most `concurrency` tasks at once on this replica, the rest waiting in arrival order. A waiting task
 * leaves the line when its signal fires, rejected with the signal's reason; a running one is not touched.
 * This is all the pacer needs of a queue, at a fraction of a general one's cost per call.
 */
interface Waiter {
  start(): void;
}

export class Slots {
  readonly #concurrency: number;
  /** In arrival order: a Set keeps insertion order and lets a cancelled waiter leave from anywhere. */
  readonly #waiting = new Set<Waiter>();
  #running = 0;

  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new TypeError(
        `Expected \`concurrency\` to be an integer >= 1, got \`${concurrency}\` (${typeof concurrency})`,
      );
    }
    this.#concurrency = concurrency;
  }

  /** Tasks waiting for a slot. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Tasks holding a slot. */
  get pending(): number {
    return this.#running;
  }

  /** True when a task run now starts at once. */
  get free(): boolean {
    return this.#running < this.#concurrency && this.#waiting.size === 0;
  }

  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.free) return this.#start(task);
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        this.#waiting.delete(waiter);
        reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#start(task).then(resolve, reject);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.add(waiter);
    });
  }

  async #start<T>(task: () => Promise<T>): Promise<T> {
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#next();
    }
  }

  #next(): void {
    const first = this.#waiting.values().next();
    if (first.done) return;
    this.#waiting.delete(first.value);
    first.value.start();
  }
}
