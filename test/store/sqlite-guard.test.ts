/** What the embedded store's guard counts as a failing store, on real SQLite errors and real files. */
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreFailure, SqliteGuard } from '../../src/store/embedded/sqlite-guard.ts';
import { StoreUnavailableError } from '../../src/store/store-errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'scimgw-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorOf = (work: () => unknown): unknown => {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
};

describe('isStoreFailure', () => {
  it('is true for SQLite refusing a write (read-only), false for a constraint answer, a SQL error or any other error', () => {
    const file = join(dir, 'ro.sqlite');
    new DatabaseSync(file).exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const readOnly = new DatabaseSync(file, { readOnly: true });
    expect(isStoreFailure(errorOf(() => readOnly.exec('INSERT INTO t VALUES (1)')))).toBe(true);
    const writable = new DatabaseSync(file);
    writable.exec('INSERT INTO t VALUES (1)');
    expect(isStoreFailure(errorOf(() => writable.exec('INSERT INTO t VALUES (1)')))).toBe(false);
    expect(isStoreFailure(errorOf(() => writable.exec('INSERT INTO no_such_table VALUES (1)')))).toBe(false);
    expect(isStoreFailure(new TypeError('x'))).toBe(false);
  });
});

describe('SqliteGuard', () => {
  it('refuses writes once the file on disk is not the one opened, and every call after a failure until a probe write succeeds', () => {
    const file = join(dir, 'id.sqlite');
    const db = new DatabaseSync(file);
    const guard = new SqliteGuard(db, file);
    expect(guard.run(true, () => 'written')).toBe('written');
    // Someone puts another database in its place (a restore over a running gateway, say).
    copyFileSync(file, join(dir, 'other.sqlite'));
    renameSync(join(dir, 'other.sqlite'), file);
    const refused = errorOf(() => guard.run(true, () => 'written'));
    expect(refused).toBeInstanceOf(StoreUnavailableError);
    expect((refused as Error).message).toMatch(/was replaced while running/);
    expect(errorOf(() => guard.run(false, () => 'read'))).toBeInstanceOf(StoreUnavailableError);
    expect(() => guard.probe()).toThrow(StoreUnavailableError);
  });

  it('turns a SQLite failure into a 503 with Retry-After whose detail names no file', () => {
    const file = join(dir, 'fail.sqlite');
    const db = new DatabaseSync(file);
    const guard = new SqliteGuard(db, file);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const readOnly = new DatabaseSync(file, { readOnly: true });
    const error = errorOf(() =>
      guard.run(true, () => readOnly.exec('INSERT INTO t VALUES (1)')),
    ) as StoreUnavailableError;
    expect(error).toMatchObject({
      status: 503,
      code: 'SCIMGW_STORE_UNAVAILABLE',
      detail: "The gateway's id store is unavailable; retry later",
    });
    expect(error.retryAfter).toBeGreaterThan(0);
    // The store works, so the next call's probe write lets it through again.
    expect(guard.run(false, () => 'read')).toBe('read');
  });
});
