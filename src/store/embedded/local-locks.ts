import type { LockManager } from '../../core/id-map.ts';

/**
 * In-process keyed mutex: enough for the embedded store, which serves one process. Work for one key runs
 * one at a time in arrival order; different keys run concurrently.
 */
export class LocalLocks implements LockManager {
  readonly #tails = new Map<string, Promise<unknown>>();

  async withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
