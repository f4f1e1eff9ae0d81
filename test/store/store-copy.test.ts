/** `scimgw store copy` moves every mapping between the embedded store and Redis, both ways, as a user runs it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';
import type { MappingRecord } from '../../src/core/id-map.ts';
import { openStoreSpec } from '../../src/cli/commands/store-copy.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let redis: RedisServer;
let dir: string;
beforeAll(async () => {
  redis = await startRedis();
  dir = mkdtempSync(join(tmpdir(), 'scimgw-copy-'));
});
afterAll(async () => {
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = async (...args: string[]) => {
  const run = await scimgw(args, { cwd: ROOT });
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
};

async function all(spec: string): Promise<MappingRecord[]> {
  const map = await openStoreSpec(spec, 'copytest');
  const out: MappingRecord[] = [];
  for await (const record of map.dump()) out.push(record);
  await map.close();
  return out.sort((a, b) => a.scimId.localeCompare(b.scimId));
}

// One store moved along: seeded and copied there and back, then copied onto a store that conflicts.
describe('scimgw store copy', { shuffle: false }, () => {
  it('copies embedded → Redis → another embedded store, keeping every field, and is idempotent', async () => {
    const source = new SqliteIdMap(join(dir, 'a', 'scimgw.sqlite'));
    for (let i = 0; i < 25; i++) {
      await source.reserve({
        app: i % 2 ? 'crm' : 'hr',
        kind: i % 5 ? 'User' : 'Group',
        scimId: `id-${i}`,
        appId: String(1000 + i),
        key: `name-${i}@x.com`,
        externalId: `ext-${i}`,
        shadow: { userName: `name-${i}@x.com`, title: 'T' },
        appHash: `h${i}`,
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-02T00:00:00.000Z',
        committed: i !== 3,
      });
    }
    await source.close();

    const toRedis = await cli(
      'store',
      'copy',
      '--from',
      `embedded:${join(dir, 'a')}`,
      '--to',
      redis.url,
      '--prefix',
      'copytest',
    );
    expect(toRedis.stderr).toBe('');
    expect(toRedis.stdout).toContain('copied 25 records, skipped 0 already present, 0 conflicts');
    expect(toRedis.status).toBe(0);
    const again = await cli(
      'store',
      'copy',
      '--from',
      `embedded:${join(dir, 'a')}`,
      '--to',
      redis.url,
      '--prefix',
      'copytest',
    );
    expect(again.stdout).toContain('copied 0 records, skipped 25 already present, 0 conflicts');

    const back = await cli(
      'store',
      'copy',
      '--from',
      redis.url,
      '--to',
      `embedded:${join(dir, 'b')}`,
      '--prefix',
      'copytest',
    );
    expect(back.status).toBe(0);
    expect(await all(`embedded:${join(dir, 'b')}`)).toEqual(await all(`embedded:${join(dir, 'a')}`));
    expect(await all(redis.url)).toEqual(await all(`embedded:${join(dir, 'a')}`));
  });

  it('reports a conflicting record and exits 1; an unknown store spec exits 2 with a clear message', async () => {
    const target = new SqliteIdMap(join(dir, 'c', 'scimgw.sqlite'));
    await target.reserve({
      app: 'crm',
      kind: 'User',
      scimId: 'other',
      appId: '1001',
      key: 'someone@x.com',
      externalId: null,
      shadow: null,
      appHash: null,
      created: 'c',
      lastModified: 'm',
      committed: true,
    });
    await target.close();
    const result = await cli(
      'store',
      'copy',
      '--from',
      `embedded:${join(dir, 'a')}`,
      '--to',
      `embedded:${join(dir, 'c')}`,
    );
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/1 conflicts/);
    expect(result.stdout).toMatch(/conflict: crm User id-1: its key or app id belongs to other/);
    const bad = await cli('store', 'copy', '--from', 'mysql://x', '--to', `embedded:${dir}`);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"mysql://x" is not a store');
  });
});
