import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
