/**
 * The behaviour every IdMap must have. The embedded store runs it here; the Redis store runs the same
 * suite, so the two cannot drift apart.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyTakenError, type IdMap, type MappingRecord, type NewRecord } from '../../src/core/id-map.ts';

const NOW = '2026-01-01T00:00:00.000Z';

function record(overrides: Partial<NewRecord> = {}): NewRecord {
  return {
    app: 'app1',
    kind: 'User',
    scimId: randomUUID(),
    key: `user-${randomUUID()}@example.com`,
    externalId: null,
    shadow: null,
    appHash: null,
    created: NOW,
    lastModified: NOW,
    committed: true,
    ...overrides,
  };
}

export function idMapContract(
  name: string,
  open: () => Promise<IdMap>,
  close: (map: IdMap) => Promise<void> = (map) => map.close(),
): void {
  describe(`IdMap contract: ${name}`, () => {
    let map: IdMap;
    beforeEach(async () => {
      map = await open();
    });
    afterEach(async () => {
      await close(map);
    });

    it('reserves a key, then finds the record by id and case-insensitive key', async () => {
      const input = record({ key: 'Alice@Example.com', externalId: 'ext-1' });
      const result = await map.reserve(input);
      expect(result.ok).toBe(true);
      expect(await map.get('app1', 'User', input.scimId)).toMatchObject({
        scimId: input.scimId,
        appId: null,
        key: 'Alice@Example.com',
      });
      expect((await map.findByKey('app1', 'User', 'ALICE@example.COM'))?.scimId).toBe(input.scimId);
      expect((await map.findByExternalId('app1', 'User', 'ext-1')).map((r) => r.scimId)).toEqual([input.scimId]);
      expect(await map.findByExternalId('app1', 'User', 'EXT-1')).toEqual([]);
    });

    it('marks a record deprovisioned and live again, keeping its key and app id', async () => {
      const input = record({ key: 'leaver@example.com', appId: '99' });
      await map.reserve(input);
      expect(await map.get('app1', 'User', input.scimId)).not.toHaveProperty('deprovisioned');
      const marked = await map.update('app1', 'User', input.scimId, { deprovisioned: true });
      expect(marked?.deprovisioned).toBe(true);
      expect((await map.get('app1', 'User', input.scimId))?.deprovisioned).toBe(true);
      expect((await map.findByKey('app1', 'User', 'leaver@example.com'))?.deprovisioned).toBe(true);
      expect((await map.getByAppIds('app1', 'User', ['99'])).get('99')?.deprovisioned).toBe(true);
      await map.update('app1', 'User', input.scimId, { deprovisioned: false });
      expect(await map.get('app1', 'User', input.scimId)).not.toHaveProperty('deprovisioned');
    });

    it('refuses a second reservation of the same key, whatever its case, and returns the holder', async () => {
      const first = record({ key: 'bob' });
      await map.reserve(first);
      const second = await map.reserve(record({ key: 'BOB' }));
      expect(second.ok).toBe(false);
      if (!second.ok) expect(second.existing.scimId).toBe(first.scimId);
    });

    it('keeps keys apart per app and per kind', async () => {
      await map.reserve(record({ key: 'same' }));
      expect((await map.reserve(record({ key: 'same', app: 'app2' }))).ok).toBe(true);
      expect((await map.reserve(record({ key: 'same', kind: 'Group' }))).ok).toBe(true);
      expect(await map.count('app1', 'User')).toBe(1);
    });

    it('refuses a reservation whose app id is already mapped', async () => {
      await map.reserve(record({ appId: '42' }));
      expect((await map.reserve(record({ appId: '42' }))).ok).toBe(false);
    });

    it('updates app id, key, shadow and hash, and indexes the new key', async () => {
      const input = record({ key: 'old' });
      await map.reserve(input);
      const shadow = { userName: 'new', name: { givenName: 'N' } };
      const updated = await map.update('app1', 'User', input.scimId, {
        appId: '7',
        key: 'new',
        shadow,
        appHash: 'h1',
        lastModified: '2026-01-02T00:00:00.000Z',
      });
      expect(updated).toMatchObject({ appId: '7', key: 'new', shadow, appHash: 'h1' });
      expect(await map.findByKey('app1', 'User', 'old')).toBeUndefined();
      expect((await map.findByKey('app1', 'User', 'NEW'))?.scimId).toBe(input.scimId);
      expect((await map.getByAppIds('app1', 'User', ['7', '8'])).get('7')?.scimId).toBe(input.scimId);
      expect(await map.get('app1', 'User', input.scimId)).toMatchObject({
        shadow,
        lastModified: '2026-01-02T00:00:00.000Z',
      });
    });

    it('refuses an update to a key held by another record', async () => {
      const a = record({ key: 'a' });
      const b = record({ key: 'b' });
      await map.reserve(a);
      await map.reserve(b);
      await expect(map.update('app1', 'User', b.scimId, { key: 'A' })).rejects.toBeInstanceOf(KeyTakenError);
      expect((await map.get('app1', 'User', b.scimId))?.key).toBe('b');
    });

    it('updates conditionally only while shadow and hash are what the caller read', async () => {
      const input = record({ shadow: { userName: 'a', title: 'old' }, appHash: 'h0' });
      await map.reserve(input);
      const stale = { shadow: { userName: 'a', title: 'old' }, appHash: 'h0' };
      expect(await map.updateIf('app1', 'User', input.scimId, stale, { appHash: 'h1' })).toBe(true);
      // The hash moved on: the same expectation no longer holds.
      expect(
        await map.updateIf('app1', 'User', input.scimId, stale, { shadow: { userName: 'a', title: 'lost' } }),
      ).toBe(false);
      expect((await map.get('app1', 'User', input.scimId))?.shadow).toEqual({ userName: 'a', title: 'old' });
      await map.update('app1', 'User', input.scimId, { shadow: { userName: 'a', title: 'new' } });
      expect(
        await map.updateIf(
          'app1',
          'User',
          input.scimId,
          { shadow: { userName: 'a', title: 'old' }, appHash: 'h1' },
          { appHash: 'h2' },
        ),
      ).toBe(false);
      expect(await map.updateIf('app1', 'User', 'missing', stale, { appHash: 'h2' })).toBe(false);
    });

    it('returns undefined when updating a record that does not exist', async () => {
      expect(await map.update('app1', 'User', 'missing', { appId: '1' })).toBeUndefined();
    });

    it('adopts unmapped app objects once, keeping SCIM ids stable across repeated adoption', async () => {
      const first = await map.adopt('app1', 'User', [
        { appId: '1', key: 'one', externalId: null, scimId: 's1', created: NOW },
        { appId: '2', key: 'two', externalId: 'x2', scimId: 's2', created: NOW },
      ]);
      expect(first.map((r) => r.scimId)).toEqual(['s1', 's2']);
      const again = await map.adopt('app1', 'User', [
        { appId: '2', key: 'two', externalId: 'x2', scimId: 'other', created: NOW },
      ]);
      expect(again[0]?.scimId).toBe('s2');
      expect(await map.count('app1', 'User')).toBe(2);
    });

    it('adoption completes a pending record that holds the same key (a create whose answer was lost)', async () => {
      const pending = record({ key: 'lost@example.com' });
      await map.reserve(pending);
      const [adopted] = await map.adopt('app1', 'User', [
        { appId: '99', key: 'LOST@example.com', externalId: null, scimId: 'fresh', created: NOW },
      ]);
      expect(adopted).toMatchObject({ scimId: pending.scimId, appId: '99' });
      expect((await map.get('app1', 'User', pending.scimId))?.appId).toBe('99');
    });

    it('adoption does not index a key that another mapped object holds', async () => {
      await map.reserve(record({ key: 'dup', appId: '1' }));
      const [adopted] = await map.adopt('app1', 'User', [
        { appId: '2', key: 'dup', externalId: null, scimId: 's-dup', created: NOW },
      ]);
      expect(adopted).toMatchObject({ scimId: 's-dup', appId: '2', key: null });
    });

    it('deletes a record and frees its key and app id', async () => {
      const input = record({ key: 'gone', appId: '5' });
      await map.reserve(input);
      expect(await map.delete('app1', 'User', input.scimId)).toBe(true);
      expect(await map.delete('app1', 'User', input.scimId)).toBe(false);
      expect(await map.get('app1', 'User', input.scimId)).toBeUndefined();
      expect((await map.reserve(record({ key: 'gone', appId: '5' }))).ok).toBe(true);
    });

    it('keeps the committed flag through reserve and update', async () => {
      const input = record({ committed: false });
      await map.reserve(input);
      expect((await map.get('app1', 'User', input.scimId))?.committed).toBe(false);
      await map.update('app1', 'User', input.scimId, { committed: true });
      expect((await map.get('app1', 'User', input.scimId))?.committed).toBe(true);
      const [adopted] = await map.adopt('app1', 'User', [
        { appId: 'a1', key: 'adopted', externalId: null, scimId: 'sa', created: NOW },
      ]);
      expect(adopted?.committed).toBe(true);
    });

    it('dumps every record of every app and kind', async () => {
      const a = record({ key: 'dump-a', appId: '1', shadow: { userName: 'dump-a' } });
      const b = record({ key: 'dump-b', app: 'app2', kind: 'Group' });
      await map.reserve(a);
      await map.reserve(b);
      const dumped: MappingRecord[] = [];
      for await (const item of map.dump()) dumped.push(item);
      expect(dumped.map((r) => r.scimId).sort()).toEqual([a.scimId, b.scimId].sort());
      expect(dumped.find((r) => r.scimId === a.scimId)).toEqual({ ...a, appId: '1' });
    });

    it('answers ping while open', async () => {
      await expect(map.ping()).resolves.toBeUndefined();
    });
  });
}
