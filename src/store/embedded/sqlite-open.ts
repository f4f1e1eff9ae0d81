/**
 * Opening the embedded store's SQLite file: each part of the store (id map, member progress, snapshots)
 * has its own connection with the same settings, and brings tables made by an earlier version up to date.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { BUSY_TIMEOUT_MS } from './sqlite-guard.ts';
import { AUTOCHECKPOINT_PAGES } from './wal-checkpointer.ts';

/**
 * A connection to `file` (or ":memory:"), its folder made if needed: WAL, NORMAL sync, a short busy timeout,
 * and checkpoints left to a WalCheckpointer (the id map runs one per file).
 */
export function openDatabase(file: string): DatabaseSync {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES};`,
  );
  return db;
}

/** Adds `column` to `table` unless it is there; `definition` must give existing rows a value (a DEFAULT, or NULL). */
export function addColumnIfMissing(db: DatabaseSync, table: string, column: string, definition: string): void {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  if (!columns.some((existing) => existing.name === column))
    db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}
