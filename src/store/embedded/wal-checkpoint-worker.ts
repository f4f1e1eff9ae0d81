/**
 * The embedded store's checkpoints, on a thread of their own (see wal-checkpointer.ts). PASSIVE never
 * waits for a lock and never holds up the gateway's readers and writers; what it cannot copy now it
 * copies on a later tick. Failures (a full disk, a file deleted under the gateway) are the store
 * guard's to report; here they only mean that this tick did nothing.
 */
import { DatabaseSync } from 'node:sqlite';
import { workerData } from 'node:worker_threads';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new DatabaseSync(file);
db.exec('PRAGMA busy_timeout = 0');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // tried again on the next tick
  }
}, intervalMs);
