/**
 * The default IdMap: one SQLite file under the data directory (node:sqlite, built into Node 24, so no
 * native addon and nothing else to run). Uniqueness of SCIM ids, keys and app ids is enforced by unique
 * indexes, which makes reserve, update and adopt atomic without an explicit lock: a write that would
 * break one fails as a whole, and only then is the holder looked up. Each call is one statement (adopt:
 * a savepoint), and an update writes only the columns it changes. The writes made in one turn of the event
 * loop share a transaction, and none is answered before it is committed (write-batch.ts). Disk failures, a
 * foreign lock and a deleted file are answered with 503s (sqlite-guard.ts).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { openDatabase } from './sqlite-open.ts';
import { rollbackTo, SqliteGuard } from './sqlite-guard.ts';
import { COLUMNS, prepareIdMapTable } from './sqlite-id-map-schema.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { WriteBatch, type Schedule } from './write-batch.ts';
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

/**
 * A row as node:sqlite answers it with returnArrays: the values of COLUMNS, in their order. Arrays, not
 * objects: building an object of thirteen named properties through the V8 API was a third of a lookup.
 */
type Row = [
  app: string,
  kind: string,
  scimId: string,
  appId: string | null,
  key: string | null,
  keyLower: string | null,
  externalId: string | null,
  shadow: string | null,
  appHash: string | null,
  created: string,
  lastModified: string,
  committed: number,
  deprovisioned: number,
];

type SqlValue = string | number | null;

/** `shadow`, when given, is the value the row's shadow text was written from (no need to parse it back). */
function toRecord(row: Row, shadow?: MappingRecord['shadow']): MappingRecord {
  const [app, kind, scimId, appId, key, , externalId, text, appHash, created, lastModified, committed, deprovisioned] =
    row;
  return {
    app,
    kind: kind as ResourceKind,
    scimId,
    appId,
    key,
    externalId,
    shadow: shadow !== undefined ? shadow : text === null ? null : (JSON.parse(text) as MappingRecord['shadow']),
    appHash,
    created,
    lastModified,
    committed: committed === 1,
    ...(deprovisioned === 1 ? { deprovisioned: true as const } : {}),
  };
}

const textOf = (shadow: MappingRecord['shadow']) => (shadow === null ? null : JSON.stringify(shadow));

/** The columns one change writes, in a fixed order so that each combination prepares one statement. */
function assignments(changes: RecordChanges): { columns: string[]; values: SqlValue[] } {
  const columns: string[] = [];
  const values: SqlValue[] = [];
  const set = (column: string, value: SqlValue) => {
    columns.push(`${column} = ?`);
    values.push(value);
  };
  if (changes.appId !== undefined) set('app_id', changes.appId);
  if (changes.key !== undefined) {
    set('key', changes.key);
    set('key_lower', changes.key === null ? null : normalizeKey(changes.key));
  }
  if (changes.externalId !== undefined) set('external_id', changes.externalId);
  if (changes.shadow !== undefined) set('shadow', textOf(changes.shadow));
  if (changes.appHash !== undefined) set('app_hash', changes.appHash);
  if (changes.lastModified !== undefined) set('last_modified', changes.lastModified);
  if (changes.committed !== undefined) set('committed', changes.committed ? 1 : 0);
  if (changes.deprovisioned !== undefined) set('deprovisioned', changes.deprovisioned ? 1 : 0);
  return { columns, values };
}

/** SQLITE_CONSTRAINT_UNIQUE: a key, app id or SCIM id is held by another row. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { errcode?: unknown } | undefined)?.errcode === 2067;
}

const COLUMNS_BUT_SHADOW = COLUMNS.replace('shadow', 'NULL AS shadow');
const BY_SCIM_ID = `SELECT ${COLUMNS} FROM id_map WHERE app = ? AND kind = ? AND scim_id = ?`;
const BY_APP_ID = `SELECT ${COLUMNS} FROM id_map WHERE app = ? AND kind = ? AND app_id = ?`;
const BY_KEY = `SELECT ${COLUMNS} FROM id_map WHERE app = ? AND kind = ? AND key_lower = ?`;

export class SqliteIdMap implements IdMap {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #guard: SqliteGuard;
  readonly #batch: WriteBatch;

  readonly #checkpointer: WalCheckpointer | undefined;

  /** `file` is a path, or ":memory:" for tests; `schedule` ends a turn of writes (write-batch.ts), in tests by hand. */
  constructor(file: string, schedule?: Schedule) {
    this.#db = openDatabase(file);
    prepareIdMapTable(this.#db);
    this.#guard = new SqliteGuard(this.#db, file);
    this.#batch = new WriteBatch(this.#db, this.#guard, file, schedule);
    // One per file: the member progress and snapshot connections write to the same WAL.
    this.#checkpointer = file === ':memory:' ? undefined : new WalCheckpointer(file);
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      statement.setReturnArrays(true);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #row(sql: string, ...params: SqlValue[]): MappingRecord | undefined {
    const row = this.#statement(sql).get(...params) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  get(app: string, kind: ResourceKind, scimId: string): Promise<MappingRecord | undefined> {
    return this.#batch.read(() => this.#row(BY_SCIM_ID, app, kind, scimId));
  }

  getByAppIds(app: string, kind: ResourceKind, appIds: readonly string[]): Promise<Map<string, MappingRecord>> {
    return this.#batch.read(() => {
      const out = new Map<string, MappingRecord>();
      const statement = this.#statement(BY_APP_ID);
      for (const appId of appIds) {
        const row = statement.get(app, kind, appId) as Row | undefined;
        if (row) out.set(appId, toRecord(row));
      }
      return out;
    });
  }

  findByKey(app: string, kind: ResourceKind, key: string): Promise<MappingRecord | undefined> {
    return this.#batch.read(() => this.#row(BY_KEY, app, kind, normalizeKey(key)));
  }

  findByExternalId(app: string, kind: ResourceKind, externalId: string): Promise<MappingRecord[]> {
    return this.#batch.read(() => {
      const rows = this.#statement(`SELECT ${COLUMNS} FROM id_map WHERE app = ? AND kind = ? AND external_id = ?`).all(
        app,
        kind,
        externalId,
      ) as unknown as Row[];
      return rows.map((row) => toRecord(row));
    });
  }

  /** The record other than `except` that holds `key` or `appId`. */
  #holder(
    app: string,
    kind: ResourceKind,
    key: string | null | undefined,
    appId: string | null | undefined,
    except?: string,
  ): MappingRecord | undefined {
    const byKey = key == null ? undefined : this.#row(BY_KEY, app, kind, normalizeKey(key));
    if (byKey && byKey.scimId !== except) return byKey;
    const byAppId = appId == null ? undefined : this.#row(BY_APP_ID, app, kind, appId);
    if (byAppId && byAppId.scimId !== except) return byAppId;
    return undefined;
  }

  #insert(record: MappingRecord): void {
    this.#statement(`INSERT INTO id_map (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      record.app,
      record.kind,
      record.scimId,
      record.appId,
      record.key,
      record.key === null ? null : normalizeKey(record.key),
      record.externalId,
      textOf(record.shadow),
      record.appHash,
      record.created,
      record.lastModified,
      record.committed ? 1 : 0,
      record.deprovisioned ? 1 : 0,
    );
  }

  reserve(input: NewRecord): Promise<ReserveResult> {
    return this.#batch.write(() => {
      const record: MappingRecord = { ...input, appId: input.appId ?? null };
      try {
        this.#insert(record);
        return { ok: true, record };
      } catch (error) {
        const existing = isUniqueViolation(error)
          ? this.#holder(record.app, record.kind, record.key, record.appId)
          : undefined;
        if (!existing) throw error;
        return { ok: false, existing };
      }
    });
  }

  update(app: string, kind: ResourceKind, scimId: string, changes: RecordChanges): Promise<MappingRecord | undefined> {
    return this.#batch.write(() => this.#update(app, kind, scimId, changes, ''));
  }

  updateIf(
    app: string,
    kind: ResourceKind,
    scimId: string,
    expected: Pick<MappingRecord, 'shadow' | 'appHash'>,
    changes: RecordChanges,
  ): Promise<boolean> {
    return this.#batch.write(() => {
      // The stored text is JSON.stringify of what was written, and a parsed shadow stringifies back to it.
      const condition = ' AND app_hash IS ? AND shadow IS ?';
      return (
        this.#update(app, kind, scimId, changes, condition, expected.appHash, textOf(expected.shadow)) !== undefined
      );
    });
  }

  /** One UPDATE of the changed columns only, answering the row as it now is. */
  #update(
    app: string,
    kind: ResourceKind,
    scimId: string,
    changes: RecordChanges,
    condition: string,
    ...conditionValues: SqlValue[]
  ): MappingRecord | undefined {
    const { columns, values } = assignments(changes);
    if (!columns.length) return condition ? undefined : this.#row(BY_SCIM_ID, app, kind, scimId);
    // A shadow the caller gives is not read back: its text would only be made into a string and dropped.
    const returning = changes.shadow === undefined ? COLUMNS : COLUMNS_BUT_SHADOW;
    const sql = `UPDATE id_map SET ${columns.join(', ')} WHERE app = ? AND kind = ? AND scim_id = ?${condition} RETURNING ${returning}`;
    let row: Row | undefined;
    try {
      row = this.#statement(sql).get(...values, app, kind, scimId, ...conditionValues) as Row | undefined;
    } catch (error) {
      const clash = isUniqueViolation(error) ? this.#holder(app, kind, changes.key, changes.appId, scimId) : undefined;
      if (clash) throw new KeyTakenError(clash);
      throw error;
    }
    return row ? toRecord(row, changes.shadow) : undefined;
  }

  adopt(app: string, kind: ResourceKind, candidates: readonly AdoptCandidate[]): Promise<MappingRecord[]> {
    return this.#batch.write(() => {
      const out: MappingRecord[] = [];
      // All of them or none: a savepoint, since the batch's transaction holds other callers' writes too.
      this.#db.exec('SAVEPOINT adopt');
      try {
        for (const candidate of candidates) out.push(this.#adoptOne(app, kind, candidate));
        this.#db.exec('RELEASE adopt');
      } catch (error) {
        rollbackTo(this.#db, 'adopt');
        throw error;
      }
      return out;
    });
  }

  #adoptOne(app: string, kind: ResourceKind, candidate: AdoptCandidate): MappingRecord {
    const mapped = this.#row(BY_APP_ID, app, kind, candidate.appId);
    if (mapped) return mapped;
    const holder = candidate.key === null ? undefined : this.#row(BY_KEY, app, kind, normalizeKey(candidate.key));
    if (holder && holder.appId === null) {
      this.#statement('UPDATE id_map SET app_id = ? WHERE app = ? AND kind = ? AND scim_id = ?').run(
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

  delete(app: string, kind: ResourceKind, scimId: string): Promise<boolean> {
    return this.#batch.write(() => {
      const result = this.#statement('DELETE FROM id_map WHERE app = ? AND kind = ? AND scim_id = ?').run(
        app,
        kind,
        scimId,
      );
      return Number(result.changes) > 0;
    });
  }

  count(app: string, kind: ResourceKind): Promise<number> {
    return this.#batch.read(() => {
      const [n] = this.#statement('SELECT COUNT(*) FROM id_map WHERE app = ? AND kind = ?').get(
        app,
        kind,
      ) as unknown as [number];
      return Number(n);
    });
  }

  async *dump(): AsyncGenerator<MappingRecord> {
    // Rowid order is creation order: streamed without a sort.
    for (const row of this.#statement(`SELECT ${COLUMNS} FROM id_map ORDER BY id`).iterate())
      yield toRecord(row as unknown as Row);
  }

  async ping(): Promise<void> {
    // The probe is a write of its own, which the open batch would otherwise carry.
    this.#batch.commit();
    this.#guard.probe();
  }

  async close(): Promise<void> {
    this.#batch.commit();
    await this.#checkpointer?.close();
    if (this.#db.isOpen) this.#db.close();
  }
}
