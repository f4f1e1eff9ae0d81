import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { idMapContract } from './id-map-contract.ts';

idMapContract('embedded (node:sqlite, in memory)', async () => new SqliteIdMap(':memory:'));

describe('embedded store on disk', () => {
  it('keeps mappings across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-'));
    try {
      const file = join(dir, 'nested', 'idmap.sqlite');
      const first = new SqliteIdMap(file);
      await first.reserve({
        app: 'a',
        kind: 'User',
        scimId: 's1',
        appId: '10',
        key: 'kept',
        externalId: 'e',
        shadow: { userName: 'kept' },
        appHash: null,
        created: 'c',
        lastModified: 'm',
        committed: true,
      });
      await first.close();
      const second = new SqliteIdMap(file);
      expect(await second.get('a', 'User', 's1')).toMatchObject({ appId: '10', shadow: { userName: 'kept' } });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded store made by an earlier version', () => {
  it('gains the deprovisioned column, every mapping live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-old-'));
    try {
      const file = join(dir, 'scimgw.sqlite');
      const old = new DatabaseSync(file);
      old.exec(`CREATE TABLE mappings (app TEXT NOT NULL, kind TEXT NOT NULL, scim_id TEXT NOT NULL, app_id TEXT,
        key TEXT, key_lower TEXT, external_id TEXT, shadow TEXT, app_hash TEXT, created TEXT NOT NULL,
        last_modified TEXT NOT NULL, committed INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (app, kind, scim_id)) WITHOUT ROWID;
        INSERT INTO mappings VALUES ('a', 'User', 's1', '10', 'kept', 'kept', NULL, NULL, NULL, 'c', 'm', 1);`);
      old.close();
      const map = new SqliteIdMap(file);
      expect(await map.get('a', 'User', 's1')).toMatchObject({ scimId: 's1', appId: '10', committed: true });
      expect(await map.get('a', 'User', 's1')).not.toHaveProperty('deprovisioned');
      expect((await map.update('a', 'User', 's1', { deprovisioned: true }))?.deprovisioned).toBe(true);
      await map.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
