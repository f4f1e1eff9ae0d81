/** MemberProgress in the embedded store's SQLite file (its own table and connection), so a restart keeps it. */
import { DatabaseSync } from 'node:sqlite';
import { MEMBER_PROGRESS_TTL_MS, type MemberAction, type MemberProgress } from '../../core/member-progress.ts';
import { openDatabase } from './sqlite-open.ts';
import { rollback, SqliteGuard } from './sqlite-guard.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS member_progress (
  app TEXT NOT NULL,
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  action TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (app, group_id, member_id)
);
`;

export class SqliteMemberProgress implements MemberProgress {
  readonly #db: DatabaseSync;
  readonly #now: () => number;
  readonly #guard: SqliteGuard;

  /** `file` is the id map's file (or ":memory:"). */
  constructor(file: string, now: () => number = Date.now) {
    this.#db = openDatabase(file);
    this.#db.exec(SCHEMA);
    this.#now = now;
    this.#guard = new SqliteGuard(this.#db, file);
  }

  async get(app: string, groupScimId: string): Promise<Map<string, MemberAction>> {
    return this.#guard.run(false, () => {
      const rows = this.#db
        .prepare('SELECT member_id, action FROM member_progress WHERE app = ? AND group_id = ? AND at > ?')
        .all(app, groupScimId, this.#now() - MEMBER_PROGRESS_TTL_MS) as { member_id: string; action: MemberAction }[];
      return new Map(rows.map((row) => [row.member_id, row.action]));
    });
  }

  async record(
    app: string,
    groupScimId: string,
    action: MemberAction,
    memberScimIds: readonly string[],
  ): Promise<void> {
    this.#guard.run(true, () => {
      const insert = this.#db.prepare(
        'INSERT OR REPLACE INTO member_progress (app, group_id, member_id, action, at) VALUES (?, ?, ?, ?, ?)',
      );
      const at = this.#now();
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (const member of memberScimIds) insert.run(app, groupScimId, member, action, at);
        // Expired entries of any group go with the next write, so the table stays small.
        this.#db.prepare('DELETE FROM member_progress WHERE at <= ?').run(at - MEMBER_PROGRESS_TTL_MS);
        this.#db.exec('COMMIT');
      } catch (error) {
        rollback(this.#db);
        throw error;
      }
    });
  }

  async clear(app: string, groupScimId: string): Promise<void> {
    this.#guard.run(true, () =>
      this.#db.prepare('DELETE FROM member_progress WHERE app = ? AND group_id = ?').run(app, groupScimId),
    );
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
