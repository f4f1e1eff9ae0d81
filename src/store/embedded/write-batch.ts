/**
 * Group commit for the embedded id map. A write transaction costs about the same whatever it holds: six
 * lock calls on the WAL index, a check that the file is still the one opened, and a frame in the WAL for
 * each page it touches, the table's last page among them. Measured alone, two creates in one transaction
 * cost ~0.8× of two creates in two, four ~0.7× (docs/decisions.md). So the id map's writes made in one
 * turn of the event loop (the requests whose app answers arrived together) share one transaction, which
 * is committed before the loop polls again.
 *
 * Nothing uncommitted is answered: a write's promise settles only once its transaction is committed (to
 * the WAL, which survives the process as before), so a create's reservation is still recorded before the
 * app is called. A read made while a batch is open
 * sees the batch's writes and settles with it. When the commit fails, every caller in the batch gets the
 * store's 503, as each would have alone.
 */
import type { DatabaseSync } from 'node:sqlite';
import { batchKey, holdBatch, releaseBatch } from './open-batches.ts';
import { rollback, type SqliteGuard } from './sqlite-guard.ts';

/** Runs a callback once the current turn's I/O callbacks and their promises have run. */
export type Schedule = (endOfTurn: () => void) => void;

/** A rejected promise of what was thrown, Error or not. */
async function rejected<T>(error: unknown): Promise<T> {
  throw error;
}

/** A caller waiting for the commit, and what it is answered with then. */
interface Waiter {
  value: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class WriteBatch {
  readonly #db: DatabaseSync;
  readonly #guard: SqliteGuard;
  readonly #key: string | undefined;
  readonly #schedule: Schedule;
  readonly #endTurn = () => this.#turnEnded();
  #open = false;
  /**
   * Whether the last turn with writes had more than one. If not, the first write of a turn is committed
   * alone, at once: with one request at a time there is nobody to wait for, and waiting cost 3–8 % of such
   * a request's CPU. The writes after it in the same turn are batched.
   */
  #crowded = true;
  /** Writes in this turn so far; the turn ends when `#endTurn`, scheduled at its first write, runs. */
  #writes = 0;
  #waiting: Waiter[] = [];

  /** `file` as the id map was given it (":memory:" has no other connections). */
  constructor(db: DatabaseSync, guard: SqliteGuard, file: string, schedule: Schedule = setImmediate) {
    this.#db = db;
    this.#guard = guard;
    this.#key = batchKey(file);
    this.#schedule = schedule;
  }

  uses(db: DatabaseSync): boolean {
    return db === this.#db;
  }

  /**
   * Runs `work` in the open transaction (opening one). `work` must leave the transaction as a statement's
   * failure does: whole, without its own part (a multi-statement write uses a savepoint).
   */
  write<T>(work: () => T): Promise<T> {
    if (this.#writes++ === 0) {
      this.#schedule(this.#endTurn);
      if (!this.#crowded) return this.#writeAlone(work);
    }
    try {
      // The file is checked once, before the commit: until then nothing of the batch reaches the file.
      return this.#settleAtCommit(
        this.#guard.run(
          true,
          () => {
            this.#begin();
            return work();
          },
          false,
        ),
      );
    } catch (error) {
      return this.#failed(error);
    }
  }

  #writeAlone<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(this.#guard.run(true, work));
    } catch (error) {
      return rejected(error);
    }
  }

  #turnEnded(): void {
    this.commit();
    this.#crowded = this.#writes > 1;
    this.#writes = 0;
  }

  /** Runs `work` now; its answer waits for the open batch, whose writes it may have seen. */
  read<T>(work: () => T): Promise<T> {
    try {
      const value = this.#guard.run(false, work);
      return this.#open ? this.#settleAtCommit(value) : Promise.resolve(value);
    } catch (error) {
      return this.#failed(error);
    }
  }

  /** Commits the open batch now and settles its callers; nothing when none is open. */
  commit(): void {
    if (!this.#open) return;
    try {
      this.#guard.run(true, () => this.#db.exec('COMMIT'));
    } catch (error) {
      this.#giveUp(error);
      return;
    }
    for (const waiter of this.#close()) waiter.resolve(waiter.value);
  }

  #begin(): void {
    if (this.#open) return;
    this.#db.exec('BEGIN IMMEDIATE');
    this.#open = true;
    if (this.#key) holdBatch(this.#key, this);
  }

  #settleAtCommit<T>(value: T): Promise<T> {
    const { promise, resolve, reject } = Promise.withResolvers<T>();
    this.#waiting.push({ value, resolve, reject });
    return promise;
  }

  /**
   * A failure the store reports (the guard's 503) may have ended the transaction, so the whole batch is
   * given up; any other error (a key held by another record) undid only its own statement.
   */
  #failed<T>(error: unknown): Promise<T> {
    if (this.#open && this.#guard.failing) this.#giveUp(error);
    return rejected(error);
  }

  /** Rolls the open batch back and refuses every caller in it with `error`. */
  #giveUp(error: unknown): void {
    const waiting = this.#close();
    rollback(this.#db);
    for (const waiter of waiting) waiter.reject(error);
  }

  /** Ends the open batch, handing over its callers. */
  #close(): Waiter[] {
    const waiting = this.#waiting;
    this.#open = false;
    this.#waiting = [];
    if (this.#key) releaseBatch(this.#key, this);
    return waiting;
  }
}
