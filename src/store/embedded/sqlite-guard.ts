/**
 * Keeps the embedded store honest when its disk misbehaves. node:sqlite reports a full, read-only or
 * broken disk as errors the gateway would otherwise answer with a bare 500 — after the app was already
 * called; it waits out another process's lock by blocking the event loop (so /livez too); and when its
 * file is deleted it goes on writing to the deleted inode, answering 201s whose mappings a restart loses.
 *
 * So: every SQLite failure becomes a 503 with Retry-After; after one, the store refuses everything until
 * a probe write succeeds again, so no app call starts while it cannot record what the call does; writes
 * check first that the file on disk is still the one opened; and the busy timeout is short.
 */
import { statSync } from 'node:fs';
import type { DatabaseSync } from 'node:sqlite';
import { StoreUnavailableError } from '../store-errors.ts';
import { batchKey, commitOpenBatch } from './open-batches.ts';

/** How long a write waits for another connection's lock before it is refused (and retried by Entra). */
export const BUSY_TIMEOUT_MS = 100;

/**
 * SQLite's primary result codes that mean the store cannot work right now: BUSY, LOCKED, NOMEM, READONLY,
 * IOERR, CORRUPT, FULL, CANTOPEN, PROTOCOL, NOTADB. Others (a constraint, a SQL error) are answers or bugs.
 */
const STORE_FAILURES = new Set([5, 6, 7, 8, 10, 11, 13, 14, 15, 26]);

export function isStoreFailure(error: unknown): boolean {
  if ((error as { code?: unknown } | undefined)?.code !== 'ERR_SQLITE_ERROR') return false;
  return STORE_FAILURES.has(Number((error as { errcode?: unknown }).errcode) & 0xff);
}

/** Ends a failed transaction; a rollback that fails too (no transaction left) must not hide the first error. */
export function rollback(db: DatabaseSync): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // the transaction is already gone
  }
}

/** Undoes and ends a failed savepoint, leaving the transaction around it as it was before. */
export function rollbackTo(db: DatabaseSync, savepoint: string): void {
  try {
    db.exec(`ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
  } catch {
    // the transaction around it is gone, and with it the savepoint
  }
}

export class SqliteGuard {
  readonly #db: DatabaseSync;
  readonly #file: string | undefined;
  readonly #inode: number | undefined;
  readonly #batchKey: string | undefined;
  /** Why the store refuses, until a probe write succeeds. */
  #failing: string | undefined;

  /** Call after the schema exists: records the file's identity and creates the probe table. */
  constructor(db: DatabaseSync, file: string) {
    this.#db = db;
    this.#file = file === ':memory:' ? undefined : file;
    this.#inode = this.#file ? statSync(this.#file).ino : undefined;
    this.#batchKey = batchKey(file);
    db.exec('CREATE TABLE IF NOT EXISTS store_health (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, room BLOB)');
  }

  /**
   * Runs one store operation. A write first commits a batch another connection holds open on the file, and
   * checks that the file is still the one opened (unless `checkFile` is false: a batched write, whose
   * commit checks).
   */
  run<T>(write: boolean, work: () => T, checkFile = write): T {
    if (this.#failing) this.#recover();
    if (write && this.#batchKey) commitOpenBatch(this.#batchKey, this.#db);
    if (checkFile) this.#checkFile();
    try {
      return work();
    } catch (error) {
      if (!isStoreFailure(error)) throw error;
      throw this.#fail(`its database refused a ${write ? 'write' : 'read'} (${(error as Error).message})`, error);
    }
  }

  /**
   * For /readyz, and before serving again after a failure: the file is the one opened and a write goes
   * through. The probe writes more than one provisioning operation does (32 KiB), so a nearly full disk
   * that still takes a tiny write is not mistaken for one that can record a create.
   */
  probe(): void {
    if (this.#batchKey) commitOpenBatch(this.#batchKey, this.#db);
    this.#checkFile();
    try {
      this.#db
        .prepare('INSERT OR REPLACE INTO store_health (id, at, room) VALUES (1, ?, zeroblob(32768))')
        .run(Date.now());
    } catch (error) {
      throw this.#fail(`a test write failed (${(error as Error).message})`, error);
    }
    this.#failing = undefined;
  }

  /** Whether the store refuses until a probe write succeeds (the last operation's failure). */
  get failing(): boolean {
    return this.#failing !== undefined;
  }

  #recover(): void {
    try {
      this.probe();
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw this.#fail(String(error), error);
    }
  }

  #checkFile(): void {
    if (!this.#file) return;
    const now = statSync(this.#file, { throwIfNoEntry: false });
    if (!now || now.ino !== this.#inode) {
      // Writing on would go to a file nobody can open again: every mapping since would be lost.
      throw this.#fail(
        `its database file ${this.#file} was ${now ? 'replaced' : 'removed'} while running; restore it or restart the gateway`,
      );
    }
  }

  #fail(why: string, cause?: unknown): StoreUnavailableError {
    this.#failing = why;
    return new StoreUnavailableError(`The gateway's id store cannot be used: ${why}; retry later`, cause, 10);
  }
}
