/**
 * The id map's write batch open on each file (write-batch.ts), so that the file's other connections (member
 * progress, snapshots) commit it before they write. Such a connection would otherwise wait for the batch's
 * lock, blocking the event loop (the only thing that could commit the batch) until its busy timeout, and fail.
 */
import { resolve } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';

export interface OpenBatch {
  uses(db: DatabaseSync): boolean;
  commit(): void;
}

const open = new Map<string, OpenBatch>();

/** The key a file's batch is held under: ":memory:" databases share nothing, so they have none. */
export function batchKey(file: string): string | undefined {
  return file === ':memory:' ? undefined : resolve(file);
}

export function holdBatch(key: string, batch: OpenBatch): void {
  open.set(key, batch);
}

export function releaseBatch(key: string, batch: OpenBatch): void {
  if (open.get(key) === batch) open.delete(key);
}

/** Before `db` writes to the file of `key`: commits the batch another connection holds open there. */
export function commitOpenBatch(key: string, db: DatabaseSync): void {
  const batch = open.get(key);
  if (batch && !batch.uses(db)) batch.commit();
}
