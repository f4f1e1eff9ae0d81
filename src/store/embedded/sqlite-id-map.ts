/**
 * The default IdMap: one SQLite file under the data directory (node:sqlite, built into Node 24, so no
 * native addon and nothing else to run). Uniqueness of keys and app ids is enforced by partial unique
 * indexes, which makes reserve and adopt atomic without an explicit lock. Disk failures, a foreign lock and
 * a deleted file are answered with 503s (sqlite-guard.ts).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { addColumnIfMissing, openDatabase } from './sqlite-open.ts';
import { rollback, SqliteGuard } from './sqlite-guard.ts';
import {
  KeyTakenError,
  normalizeKey,
  type AdoptCandidate,
  type IdMap,
  type MappingRecord,
  type NewRecord,
  type RecordChanges,
  type ReserveResult,
  type ResourceKind,
} from '../../core/id-map.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mappings (
  app TEXT NOT NULL,
  kind TEXT NOT NULL,
  scim_id TEXT NOT NULL,
  app_id TEXT,
  key TEXT,
  key_lower TEXT,
  external_id TEXT,
  shadow TEXT,
  app_hash TEXT,
  created TEXT NOT NULL,
  last_modified TEXT NOT NULL,
  committed INTEGER NOT NULL DEFAULT 1,
  deprovisioned INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (app, kind, scim_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS mappings_app_id ON mappings (app, kind, app_id) WHERE app_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS mappings_key ON mappings (app, kind, key_lower) WHERE key_lower IS NOT NULL;
CREATE INDEX IF NOT EXISTS mappings_external_id ON mappings (app, kind, external_id) WHERE external_id IS NOT NULL;
`;

interface Row {
  app: string;
  kind: string;
  scim_id: string;
  app_id: string | null;
  key: string | null;
  external_id: string | null;
  shadow: string | null;
  app_hash: string | null;
  created: string;
  last_modified: string;
  committed: number;
  deprovisioned: number;
}

function toRecord(row: Row): MappingRecord {
  return {
    app: row.app,
    kind: row.kind as ResourceKind,
    scimId: row.scim_id,
    appId: row.app_id,
    key: row.key,
    externalId: row.external_id,
    shadow: row.shadow === null ? null : (JSON.parse(row.shadow) as MappingRecord['shadow']),
    appHash: row.app_hash,
    created: row.created,
    lastModified: row.last_modified,
    committed: row.committed === 1,
    ...(row.deprovisioned === 1 ? { deprovisioned: true as const } : {}),
  };
}

export class SqliteIdMap implements IdMap {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #guard: SqliteGuard;

  /** `file` is a path, or ":memory:" for tests. */
  constructor(file: string) {
    this.#db = openDatabase(file);
    this.#db.exec(SCHEMA);
    // Files made before deprovisioned mappings existed gain the column (every existing mapping is live).
    addColumnIfMissing(this.#db, 'mappings', 'deprovisioned', 'INTEGER NOT NULL DEFAULT 0');
    this.#guard = new SqliteGuard(this.#db, file);
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #row(sql: string, ...params: (string | null)[]): MappingRecord | undefined {
    const row = this.#statement(sql).get(...params) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async get(app: string, kind: ResourceKind, scimId: string): Promise<MappingRecord | undefined> {
    return this.#guard.run(false, () =>
      this.#row('SELECT * FROM mappings WHERE app = ? AND kind = ? AND scim_id = ?', app, kind, scimId),
    );
  }

  async getByAppIds(app: string, kind: ResourceKind, appIds: readonly string[]): Promise<Map<string, MappingRecord>> {
    return this.#guard.run(false, () => {
      const out = new Map<string, MappingRecord>();
      const statement = this.#statement('SELECT * FROM mappings WHERE app = ? AND kind = ? AND app_id = ?');
      for (const appId of appIds) {
        const row = statement.get(app, kind, appId) as Row | undefined;
        if (row) out.set(appId, toRecord(row));
      }
      return out;
    });
  }

  async findByKey(app: string, kind: ResourceKind, key: string): Promise<MappingRecord | undefined> {
    return this.#guard.run(false, () =>
      this.#row('SELECT * FROM mappings WHERE app = ? AND kind = ? AND key_lower = ?', app, kind, normalizeKey(key)),
    );
  }

  async findByExternalId(app: string, kind: ResourceKind, externalId: string): Promise<MappingRecord[]> {
    return this.#guard.run(false, () => {
      const rows = this.#statement('SELECT * FROM mappings WHERE app = ? AND kind = ? AND external_id = ?').all(
        app,
        kind,
        externalId,
      ) as unknown as Row[];
      return rows.map(toRecord);
    });
  }

  #conflicting(
    app: string,
    kind: ResourceKind,
    key: string | null,
    appId: string | null,
    except?: string,
  ): MappingRecord | undefined {
    const byKey =
      key === null
        ? undefined
        : this.#row(
            'SELECT * FROM mappings WHERE app = ? AND kind = ? AND key_lower = ?',
            app,
            kind,
            normalizeKey(key),
          );
    if (byKey && byKey.scimId !== except) return byKey;
    const byAppId =
      appId === null
        ? undefined
        : this.#row('SELECT * FROM mappings WHERE app = ? AND kind = ? AND app_id = ?', app, kind, appId);
    if (byAppId && byAppId.scimId !== except) return byAppId;
    return undefined;
  }

  #insert(record: MappingRecord): void {
    this.#statement(
      `INSERT INTO mappings (app, kind, scim_id, app_id, key, key_lower, external_id, shadow, app_hash, created, last_modified, committed, deprovisioned)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      record.app,
      record.kind,
      record.scimId,
      record.appId,
      record.key,
      record.key === null ? null : normalizeKey(record.key),
      record.externalId,
      record.shadow === null ? null : JSON.stringify(record.shadow),
      record.appHash,
      record.created,
      record.lastModified,
      record.committed ? 1 : 0,
      record.deprovisioned ? 1 : 0,
    );
  }

  async reserve(input: NewRecord): Promise<ReserveResult> {
    return this.#guard.run(true, () => {
      const record: MappingRecord = { ...input, appId: input.appId ?? null };
      // node:sqlite is synchronous, so check-then-insert cannot interleave with another call in this process;
      // the unique indexes still guard against a second process sharing the file.
      const existing = this.#conflicting(record.app, record.kind, record.key, record.appId);
      if (existing) return { ok: false, existing };
      this.#insert(record);
      return { ok: true, record };
    });
  }

  async update(
    app: string,
    kind: ResourceKind,
    scimId: string,
    changes: RecordChanges,
  ): Promise<MappingRecord | undefined> {
    return this.#guard.run(true, () => this.#update(app, kind, scimId, changes));
  }

  async updateIf(
    app: string,
    kind: ResourceKind,
    scimId: string,
    expected: Pick<MappingRecord, 'shadow' | 'appHash'>,
    changes: RecordChanges,
  ): Promise<boolean> {
    return this.#guard.run(true, () => {
      // Synchronous from read to write: nothing else in this process can run in between.
      const current = this.#row('SELECT * FROM mappings WHERE app = ? AND kind = ? AND scim_id = ?', app, kind, scimId);
      if (
        !current ||
        current.appHash !== expected.appHash ||
        JSON.stringify(current.shadow) !== JSON.stringify(expected.shadow)
      )
        return false;
      this.#update(app, kind, scimId, changes);
      return true;
    });
  }

  #update(app: string, kind: ResourceKind, scimId: string, changes: RecordChanges): MappingRecord | undefined {
    const current = this.#row('SELECT * FROM mappings WHERE app = ? AND kind = ? AND scim_id = ?', app, kind, scimId);
    if (!current) return undefined;
    const { deprovisioned, ...rest } = changes;
    const next: MappingRecord = { ...current, ...rest };
    if (deprovisioned === true) next.deprovisioned = true;
    if (deprovisioned === false) delete next.deprovisioned;
    const clash = this.#conflicting(
      app,
      kind,
      changes.key !== undefined ? next.key : null,
      changes.appId !== undefined ? next.appId : null,
      scimId,
    );
    if (clash) throw new KeyTakenError(clash);
    this.#statement(
      `UPDATE mappings SET app_id = ?, key = ?, key_lower = ?, external_id = ?, shadow = ?, app_hash = ?, last_modified = ?, committed = ?,
         deprovisioned = ?
       WHERE app = ? AND kind = ? AND scim_id = ?`,
    ).run(
      next.appId,
      next.key,
      next.key === null ? null : normalizeKey(next.key),
      next.externalId,
      next.shadow === null ? null : JSON.stringify(next.shadow),
      next.appHash,
      next.lastModified,
      next.committed ? 1 : 0,
      next.deprovisioned ? 1 : 0,
      app,
      kind,
      scimId,
    );
    return next;
  }

  async adopt(app: string, kind: ResourceKind, candidates: readonly AdoptCandidate[]): Promise<MappingRecord[]> {
    return this.#guard.run(true, () => {
      const out: MappingRecord[] = [];
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (const candidate of candidates) out.push(this.#adoptOne(app, kind, candidate));
        this.#db.exec('COMMIT');
      } catch (error) {
        rollback(this.#db);
        throw error;
      }
      return out;
    });
  }

  #adoptOne(app: string, kind: ResourceKind, candidate: AdoptCandidate): MappingRecord {
    const mapped = this.#row(
      'SELECT * FROM mappings WHERE app = ? AND kind = ? AND app_id = ?',
      app,
      kind,
      candidate.appId,
    );
    if (mapped) return mapped;
    const holder =
      candidate.key === null
        ? undefined
        : this.#row(
            'SELECT * FROM mappings WHERE app = ? AND kind = ? AND key_lower = ?',
            app,
            kind,
            normalizeKey(candidate.key),
          );
    if (holder && holder.appId === null) {
      this.#statement('UPDATE mappings SET app_id = ? WHERE app = ? AND kind = ? AND scim_id = ?').run(
        candidate.appId,
        app,
        kind,
        holder.scimId,
      );
      return { ...holder, appId: candidate.appId };
    }
    const record: MappingRecord = {
      app,
      kind,
      scimId: candidate.scimId,
      appId: candidate.appId,
      key: holder ? null : candidate.key,
      externalId: candidate.externalId,
      shadow: null,
      appHash: null,
      created: candidate.created,
      lastModified: candidate.created,
      committed: true,
    };
    this.#insert(record);
    return record;
  }

  async delete(app: string, kind: ResourceKind, scimId: string): Promise<boolean> {
    return this.#guard.run(true, () => {
      const result = this.#statement('DELETE FROM mappings WHERE app = ? AND kind = ? AND scim_id = ?').run(
        app,
        kind,
        scimId,
      );
      return Number(result.changes) > 0;
    });
  }

  async count(app: string, kind: ResourceKind): Promise<number> {
    return this.#guard.run(false, () => {
      const row = this.#statement('SELECT COUNT(*) AS n FROM mappings WHERE app = ? AND kind = ?').get(app, kind) as {
        n: number;
      };
      return Number(row.n);
    });
  }

  async *dump(): AsyncGenerator<MappingRecord> {
    for (const row of this.#statement('SELECT * FROM mappings ORDER BY app, kind, created').iterate())
      yield toRecord(row as unknown as Row);
  }

  async ping(): Promise<void> {
    this.#guard.probe();
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
