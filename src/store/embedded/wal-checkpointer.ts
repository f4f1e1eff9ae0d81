/**
 * Keeps the embedded store's checkpoints off the event loop. By default SQLite copies the WAL back into
 * the database inside whichever commit takes it past 1,000 pages, fsync included, on the thread that
 * committed: here that was ~35 % of the wall time of each write and a stall of 14–19 ms every few hundred
 * creates, during which no request moves. A worker thread checkpoints instead, every `intervalMs`; the
 * connections keep an automatic threshold far above what the worker lets the WAL reach (AUTOCHECKPOINT_PAGES),
 * so a worker that stopped cannot let it grow without bound.
 */
import { Worker } from 'node:worker_threads';

/** The connections' own threshold, a safety net only: 16,384 pages of 4 KiB is 64 MiB of WAL. */
export const AUTOCHECKPOINT_PAGES = 16_384;

export class WalCheckpointer {
  readonly #worker: Worker;

  constructor(file: string, intervalMs = 200) {
    this.#worker = new Worker(new URL('./wal-checkpoint-worker.ts', import.meta.url), {
      workerData: { file, intervalMs },
    });
    // A checkpointer never keeps the process alive, and one that failed leaves the connections' threshold.
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
