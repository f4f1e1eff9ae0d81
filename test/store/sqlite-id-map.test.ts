import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { DEPROVISIONED_COLUMN, FIRST_LAYOUT } from '../helpers/first-layout.ts';
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

function record(scimId: string, key: string) {
  return {
    app: 'a',
    kind: 'User' as const,
    scimId,
    key,
    externalId: null,
    shadow: null,
    appHash: null,
    created: 'c',
    lastModified: 'm',
    committed: false,
  };
}

describe('embedded store checkpoints', () => {
  it('copies the WAL into the database from a worker thread, below the threshold at which a commit would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-wal-'));
    try {
      const file = join(dir, 'scimgw.sqlite');
      const map = new SqliteIdMap(file);
      const shadow = { userName: 'x', note: 'n'.repeat(1000) };
      // ~1,500 pages of WAL: past SQLite's default threshold (1,000), far below the connections' own.
      for (let i = 0; i < 3000; i++) await map.reserve({ ...record(`s${i}`, `k${i}`), shadow });
      const sizeAfterWrites = statSync(file).size;
      let size = sizeAfterWrites;
      for (let i = 0; i < 200 && size < 3_000_000; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        size = statSync(file).size;
      }
      expect(size).toBeGreaterThan(3_000_000);
      expect(await map.count('a', 'User')).toBe(3000);
      await map.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded store made by an earlier version', () => {
  it('moves a WITHOUT ROWID table with every column into the rowid table, creation order kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-v1-'));
    try {
      const file = join(dir, 'scimgw.sqlite');
      const old = new DatabaseSync(file);
      old.exec(`${FIRST_LAYOUT} ${DEPROVISIONED_COLUMN}
        INSERT INTO mappings VALUES ('a', 'User', 'z-late', '2', 'Late', 'late', 'x2', '{"userName":"Late"}', 'h2', '2026-02', 'm2', 1, 0);
        INSERT INTO mappings VALUES ('a', 'User', 'a-early', NULL, 'Early', 'early', NULL, NULL, NULL, '2026-01', 'm1', 0, 0);
        INSERT INTO mappings VALUES ('a', 'Group', 'g', '7', 'Team', 'team', NULL, NULL, NULL, '2026-03', 'm3', 1, 1);`);
      old.close();
      const map = new SqliteIdMap(file);
      const dumped = [];
      for await (const item of map.dump()) dumped.push(item);
      expect(dumped.map((item) => item.scimId)).toEqual(['a-early', 'z-late', 'g']);
      expect(dumped[1]).toEqual({
        app: 'a',
        kind: 'User',
        scimId: 'z-late',
        appId: '2',
        key: 'Late',
        externalId: 'x2',
        shadow: { userName: 'Late' },
        appHash: 'h2',
        created: '2026-02',
        lastModified: 'm2',
        committed: true,
      });
      expect(dumped[2]?.deprovisioned).toBe(true);
      // The current table's unique indexes hold what the first one's held: the key and the app id.
      expect((await map.reserve(record('new', 'LATE'))).ok).toBe(false);
      expect((await map.reserve({ ...record('new', 'other'), appId: '2' })).ok).toBe(false);
      expect(await map.findByExternalId('a', 'User', 'x2')).toHaveLength(1);
      await map.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gains the deprovisioned column, every mapping live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-old-'));
    try {
      const file = join(dir, 'scimgw.sqlite');
      const old = new DatabaseSync(file);
      old.exec(`${FIRST_LAYOUT}
        INSERT INTO mappings VALUES ('a', 'User', 's1', '10', 'kept', 'kept', NULL, NULL, NULL, 'c', 'm', 1);`);
      old.close();
      const map = new SqliteIdMap(file);
      expect(await map.get('a', 'User', 's1')).toMatchObject({ scimId: 's1', appId: '10', committed: true });
      expect(await map.get('a', 'User', 's1')).not.toHaveProperty('deprovisioned');
      expect((await map.update('a', 'User', 's1', { deprovisioned: true }))?.deprovisioned).toBe(true);
      await map.close();
      // Moved once into the rowid table, and opened again as it is now.
      const reopened = new SqliteIdMap(file);
      expect(await reopened.get('a', 'User', 's1')).toMatchObject({ appId: '10', deprovisioned: true });
      expect((await reopened.reserve(record('s2', 'KEPT'))).ok).toBe(false);
      await reopened.close();
      const raw = new DatabaseSync(file);
      const tables = raw.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all() as {
        name: string;
        sql: string;
      }[];
      raw.close();
      expect(tables.map((table) => table.name)).not.toContain('mappings');
      expect(tables.find((table) => table.name === 'id_map')?.sql).not.toMatch(/WITHOUT ROWID/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
