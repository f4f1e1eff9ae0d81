/**
 * App snapshots in the embedded store's SQLite file (own tables and connection, beside the id map). Entries
 * live on disk, indexed by generation and each matching attribute, so a snapshot of 100,000 users costs
 * the process nothing but page cache.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type {
  AppSnapshots,
  SnapshotEntry,
  SnapshotIndex,
  SnapshotState,
  SnapshotStats,
} from '../../core/app-snapshot.ts';
import type { ResourceKind } from '../../core/id-map.ts';
import type { ScimResource } from '../../scim/schema/types.ts';
import { addColumnIfMissing, openDatabase } from './sqlite-open.ts';
import { rollback, SqliteGuard } from './sqlite-guard.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS snapshot_state (
  app TEXT NOT NULL,
  kind TEXT NOT NULL,
  current TEXT,
  started_at INTEGER,
  completed_at INTEGER,
  objects INTEGER,
  app_calls INTEGER,
  ms INTEGER,
  pending TEXT,
  pending_started INTEGER,
  full_started_at INTEGER,
  PRIMARY KEY (app, kind)
);
CREATE TABLE IF NOT EXISTS snapshot_entries (
  generation TEXT NOT NULL,
  app_id TEXT NOT NULL,
  key TEXT,
  external_id TEXT,
  email TEXT,
  at INTEGER NOT NULL,
  data TEXT,
  PRIMARY KEY (generation, app_id)
);
CREATE INDEX IF NOT EXISTS snapshot_by_key ON snapshot_entries (generation, key) WHERE key IS NOT NULL;
CREATE INDEX IF NOT EXISTS snapshot_by_external_id ON snapshot_entries (generation, external_id) WHERE external_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS snapshot_by_email ON snapshot_entries (generation, email) WHERE email IS NOT NULL;
`;

const COLUMN: Record<SnapshotIndex, string> = { key: 'key', externalId: 'external_id', email: 'email' };

/** Rows deleted per statement when a generation is dropped, so a large one does not hold the event loop. */
const DROP_BATCH = 2_000;

interface EntryRow {
  app_id: string;
  key: string | null;
  external_id: string | null;
  email: string | null;
  at: number;
  data: string | null;
}

interface StateRow {
  current: string | null;
  started_at: number | null;
  completed_at: number | null;
  objects: number | null;
  app_calls: number | null;
  ms: number | null;
  pending: string | null;
  full_started_at: number | null;
}

export class SqliteAppSnapshots implements AppSnapshots {
  readonly #db: DatabaseSync;
  readonly #guard: SqliteGuard;
  readonly #upsert: StatementSync;

  /** `file` is the id map's file (or ":memory:"). */
  constructor(file: string) {
    this.#db = openDatabase(file);
    this.#db.exec(SCHEMA);
    // Tables made before listings of changes existed gain the column.
    addColumnIfMissing(this.#db, 'snapshot_state', 'full_started_at', 'INTEGER');
    this.#guard = new SqliteGuard(this.#db, file);
    // Newest information wins: a listing page read before a write cannot undo it.
    this.#upsert = this.#db.prepare(`
      INSERT INTO snapshot_entries (generation, app_id, key, external_id, email, at, data)
      VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (generation, app_id) DO UPDATE SET
        key = excluded.key, external_id = excluded.external_id, email = excluded.email,
        at = excluded.at, data = excluded.data
      WHERE excluded.at >= snapshot_entries.at`);
  }

  async state(app: string, kind: ResourceKind): Promise<SnapshotState | undefined> {
    const row = this.#stateRow(app, kind);
    if (!row?.current) return undefined;
    return {
      generation: row.current,
      startedAt: row.started_at ?? 0,
      completedAt: row.completed_at ?? 0,
      objects: row.objects ?? 0,
      appCalls: row.app_calls ?? 0,
      ms: row.ms ?? 0,
      fullStartedAt: row.full_started_at ?? row.started_at ?? 0,
    };
  }

  async begin(app: string, kind: ResourceKind, generation: string, startedAt: number): Promise<void> {
    const earlier = this.#stateRow(app, kind)?.pending;
    this.#guard.run(true, () =>
      this.#db
        .prepare(
          `INSERT INTO snapshot_state (app, kind, pending, pending_started) VALUES (?, ?, ?, ?)
           ON CONFLICT (app, kind) DO UPDATE SET pending = excluded.pending, pending_started = excluded.pending_started`,
        )
        .run(app, kind, generation, startedAt),
    );
    if (earlier) await this.#drop(earlier);
  }

  async fill(app: string, kind: ResourceKind, generation: string, entries: readonly SnapshotEntry[]): Promise<void> {
    if (this.#stateRow(app, kind)?.pending !== generation) return;
    this.#write(entries.map((entry) => [generation, entry]));
  }

  async complete(
    app: string,
    kind: ResourceKind,
    generation: string,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    const previous = this.#guard.run(true, () => {
      const row = this.#stateRow(app, kind);
      if (row?.pending !== generation) return undefined;
      this.#db
        .prepare(
          `UPDATE snapshot_state SET current = pending, started_at = pending_started, full_started_at = pending_started,
             completed_at = ?, objects = ?, app_calls = ?, ms = ?, pending = NULL, pending_started = NULL
           WHERE app = ? AND kind = ?`,
        )
        .run(completedAt, stats.objects, stats.appCalls, stats.ms, app, kind);
      return row.current ?? undefined;
    });
    if (previous) await this.#drop(previous);
  }

  async advance(
    app: string,
    kind: ResourceKind,
    generation: string,
    startedAt: number,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    this.#guard.run(true, () =>
      this.#db
        .prepare(
          `UPDATE snapshot_state SET started_at = ?, completed_at = ?, objects = ?, app_calls = ?, ms = ?
           WHERE app = ? AND kind = ? AND current = ?`,
        )
        .run(startedAt, completedAt, stats.objects, stats.appCalls, stats.ms, app, kind, generation),
    );
  }

  async abandon(app: string, kind: ResourceKind, generation: string): Promise<void> {
    const dropped = this.#guard.run(true, () => {
      const result = this.#db
        .prepare(
          'UPDATE snapshot_state SET pending = NULL, pending_started = NULL WHERE app = ? AND kind = ? AND pending = ?',
        )
        .run(app, kind, generation);
      return Number(result.changes) > 0;
    });
    if (dropped) await this.#drop(generation);
  }

  async put(app: string, kind: ResourceKind, ...entries: SnapshotEntry[]): Promise<void> {
    const row = this.#stateRow(app, kind);
    const generations = [row?.current, row?.pending].filter((generation) => typeof generation === 'string');
    if (generations.length && entries.length)
      this.#write(
        generations.flatMap((generation) => entries.map((entry): [string, SnapshotEntry] => [generation, entry])),
      );
  }

  async get(app: string, kind: ResourceKind, appId: string): Promise<SnapshotEntry | undefined> {
    const current = this.#stateRow(app, kind)?.current;
    if (!current) return undefined;
    return this.#entries('app_id = ?', current, appId)[0];
  }

  async find(app: string, kind: ResourceKind, index: SnapshotIndex, value: string): Promise<SnapshotEntry[]> {
    const current = this.#stateRow(app, kind)?.current;
    if (!current) return [];
    return this.#entries(`${COLUMN[index]} = ? AND data IS NOT NULL`, current, value);
  }

  async *entries(app: string, kind: ResourceKind, batchSize = 500): AsyncIterable<SnapshotEntry[]> {
    const current = this.#stateRow(app, kind)?.current;
    if (!current) return;
    let after = '';
    for (;;) {
      const batch = this.#entries('app_id > ? AND data IS NOT NULL ORDER BY app_id LIMIT ?', current, after, batchSize);
      if (!batch.length) return;
      yield batch;
      after = batch.at(-1)!.appId;
    }
  }

  async page(app: string, kind: ResourceKind, offset: number, count: number): Promise<SnapshotEntry[]> {
    const current = this.#stateRow(app, kind)?.current;
    if (!current) return [];
    return this.#entries('data IS NOT NULL ORDER BY app_id LIMIT ? OFFSET ?', current, count, offset);
  }

  async count(app: string, kind: ResourceKind): Promise<number> {
    const current = this.#stateRow(app, kind)?.current;
    if (!current) return 0;
    const row = this.#guard.run(false, () =>
      this.#db
        .prepare('SELECT COUNT(*) AS n FROM snapshot_entries WHERE generation = ? AND data IS NOT NULL')
        .get(current),
    ) as { n: number };
    return Number(row.n);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Entries of a generation (the first parameter) matching the rest of a WHERE clause. */
  #entries(where: string, generation: string, ...params: (string | number)[]): SnapshotEntry[] {
    const rows = this.#guard.run(false, () =>
      this.#db
        .prepare(
          `SELECT app_id, key, external_id, email, at, data FROM snapshot_entries WHERE generation = ? AND ${where}`,
        )
        .all(generation, ...params),
    ) as unknown as EntryRow[];
    return rows.map(fromRow);
  }

  #stateRow(app: string, kind: ResourceKind): StateRow | undefined {
    return this.#guard.run(false, () =>
      this.#db
        .prepare(
          `SELECT current, started_at, completed_at, objects, app_calls, ms, pending, full_started_at
           FROM snapshot_state WHERE app = ? AND kind = ?`,
        )
        .get(app, kind),
    ) as StateRow | undefined;
  }

  #write(rows: [string, SnapshotEntry][]): void {
    this.#guard.run(true, () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (const [generation, entry] of rows)
          this.#upsert.run(
            generation,
            entry.appId,
            entry.key,
            entry.externalId,
            entry.email,
            entry.at,
            entry.scim ? JSON.stringify(entry.scim) : null,
          );
        this.#db.exec('COMMIT');
      } catch (error) {
        rollback(this.#db);
        throw error;
      }
    });
  }

  async #drop(generation: string): Promise<void> {
    const remove = this.#db.prepare(
      'DELETE FROM snapshot_entries WHERE rowid IN (SELECT rowid FROM snapshot_entries WHERE generation = ? LIMIT ?)',
    );
    for (;;) {
      const { changes } = this.#guard.run(true, () => remove.run(generation, DROP_BATCH));
      if (Number(changes) < DROP_BATCH) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function fromRow(row: EntryRow): SnapshotEntry {
  return {
    appId: row.app_id,
    scim: row.data === null ? null : (JSON.parse(row.data) as ScimResource),
    key: row.key,
    externalId: row.external_id,
    email: row.email,
    at: row.at,
  };
}
