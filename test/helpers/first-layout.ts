/**
 * The embedded id map as the first versions made it (a WITHOUT ROWID `mappings` table and its indexes),
 * for the tests and the bench that open such a file with today's store.
 */
export const FIRST_LAYOUT = `
CREATE TABLE mappings (app TEXT NOT NULL, kind TEXT NOT NULL, scim_id TEXT NOT NULL, app_id TEXT, key TEXT,
  key_lower TEXT, external_id TEXT, shadow TEXT, app_hash TEXT, created TEXT NOT NULL, last_modified TEXT NOT NULL,
  committed INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (app, kind, scim_id)) WITHOUT ROWID;
CREATE UNIQUE INDEX mappings_app_id ON mappings (app, kind, app_id) WHERE app_id IS NOT NULL;
CREATE UNIQUE INDEX mappings_key ON mappings (app, kind, key_lower) WHERE key_lower IS NOT NULL;
CREATE INDEX mappings_external_id ON mappings (app, kind, external_id) WHERE external_id IS NOT NULL;
`;

/** What the versions with deprovisioned mappings added to it. */
export const DEPROVISIONED_COLUMN = 'ALTER TABLE mappings ADD COLUMN deprovisioned INTEGER NOT NULL DEFAULT 0;';
