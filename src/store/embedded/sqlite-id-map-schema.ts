/**
 * The embedded id map's table, and the move from the first layout. The first table (`mappings`) was
 * WITHOUT ROWID with the primary key (app, kind, scim_id): every ~1 KB row lived in a B-tree ordered by
 * random UUIDs, so each create split pages in the middle of the tree and each update rewrote the row
 * there. `id_map` is an ordinary rowid table: rows are appended in creation order, and the SCIM id, the
 * key and the app id are small unique indexes beside it.
 */
import type { DatabaseSync } from 'node:sqlite';
import { addColumnIfMissing } from './sqlite-open.ts';
import { rollback } from './sqlite-guard.ts';

export const COLUMNS =
  'app, kind, scim_id, app_id, key, key_lower, external_id, shadow, app_hash, created, last_modified, committed, deprovisioned';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS id_map (
  id INTEGER PRIMARY KEY,
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
  deprovisioned INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS id_map_scim_id ON id_map (app, kind, scim_id);
CREATE UNIQUE INDEX IF NOT EXISTS id_map_app_id ON id_map (app, kind, app_id) WHERE app_id IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS id_map_key ON id_map (app, kind, key_lower) WHERE key_lower IS NOT NULL;
CREATE INDEX IF NOT EXISTS id_map_external_id ON id_map (app, kind, external_id) WHERE external_id IS NOT NULL;
`;

/** Creates the table, moving the rows of a file made by an earlier version into it (once, atomically). */
export function prepareIdMapTable(db: DatabaseSync): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(SCHEMA);
    const earlier = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mappings'").get();
    if (earlier) {
      // Files from before deprovisioned mappings existed lack the column: every mapping there is live.
      addColumnIfMissing(db, 'mappings', 'deprovisioned', 'INTEGER NOT NULL DEFAULT 0');
      // Creation order becomes rowid order, which is how dump() lists them.
      db.exec(`INSERT INTO id_map (${COLUMNS}) SELECT ${COLUMNS} FROM mappings ORDER BY created; DROP TABLE mappings;`);
    }
    db.exec('COMMIT');
  } catch (error) {
    rollback(db);
    throw error;
  }
}
