/** What every AppSnapshots implementation must do; run against each store by snapshots.test.ts. */
import { describe, expect, it } from 'vitest';
import { snapshotEntry, type AppSnapshots, type SnapshotEntry } from '../../src/core/app-snapshot.ts';

const stats = { objects: 0, appCalls: 1, ms: 5 };

function user(appId: string, userName: string, at: number, extra: Record<string, unknown> = {}): SnapshotEntry {
  return snapshotEntry('User', appId, { userName, ...extra }, at);
}

async function all(store: AppSnapshots, app: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const batch of store.entries(app, 'User', 2)) ids.push(...batch.map((entry) => entry.appId));
  return ids;
}

export function snapshotContract(name: string, open: () => Promise<AppSnapshots>): void {
  describe(`app snapshots: ${name}`, () => {
    it('shows nothing of a generation until it is completed, then all of it', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 1000);
      await store.fill('a', 'User', 'g1', [user('1', 'Ann@x', 1000), user('2', 'bob@x', 1000)]);
      expect(await store.state('a', 'User')).toBeUndefined();
      expect(await store.get('a', 'User', '1')).toBeUndefined();
      await store.complete('a', 'User', 'g1', { ...stats, objects: 2 }, 1500);
      expect(await store.state('a', 'User')).toEqual({
        generation: 'g1',
        startedAt: 1000,
        completedAt: 1500,
        fullStartedAt: 1000,
        objects: 2,
        appCalls: 1,
        ms: 5,
      });
      expect((await store.get('a', 'User', '1'))?.scim).toEqual({ userName: 'Ann@x' });
      expect((await store.find('a', 'User', 'key', 'ann@x')).map((entry) => entry.appId)).toEqual(['1']);
      expect(await store.state('a', 'Group')).toBeUndefined();
      expect(await store.state('b', 'User')).toBeUndefined();
    });

    it('finds by each index, several objects per value, and pages every live entry in app id order', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 1);
      const email = (value: string) => ({ emails: [{ value, type: 'work' }] });
      await store.fill('a', 'User', 'g1', [
        user('3', 'c@x', 1, { externalId: 'E', ...email('Shared@x') }),
        user('1', 'a@x', 1, { externalId: 'E' }),
        user('2', 'b@x', 1, email('shared@x')),
        user('4', 'd@x', 1),
        user('5', 'e@x', 1),
      ]);
      await store.complete('a', 'User', 'g1', stats, 2);
      const sorted = async (found: Promise<SnapshotEntry[]>) => (await found).map((entry) => entry.appId).sort();
      expect(await sorted(store.find('a', 'User', 'externalId', 'E'))).toEqual(['1', '3']);
      expect(await sorted(store.find('a', 'User', 'externalId', 'e'))).toEqual([]);
      expect(await sorted(store.find('a', 'User', 'email', 'shared@x'))).toEqual(['2', '3']);
      expect(await all(store, 'a')).toEqual(['1', '2', '3', '4', '5']);
      const ids = async (found: Promise<SnapshotEntry[]>) => (await found).map((entry) => entry.appId);
      expect(await ids(store.page('a', 'User', 0, 2))).toEqual(['1', '2']);
      expect(await ids(store.page('a', 'User', 3, 10))).toEqual(['4', '5']);
      expect(await ids(store.page('a', 'User', 5, 10))).toEqual([]);
      expect(await store.count('a', 'User')).toBe(5);
      // A deletion leaves the count and the pages at once.
      await store.put('a', 'User', snapshotEntry('User', '2', null, 3));
      expect(await store.count('a', 'User')).toBe(4);
      expect(await ids(store.page('a', 'User', 0, 2))).toEqual(['1', '3']);
      expect(await store.count('b', 'User')).toBe(0);
    });

    it('keeps the newer of a write and a listing page read before it, in the unfinished generation too', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 10);
      await store.fill('a', 'User', 'g1', [user('1', 'old@x', 10)]);
      await store.complete('a', 'User', 'g1', stats, 20);
      await store.begin('a', 'User', 'g2', 30);
      // A write lands while the second listing runs; the listing's page was read before it.
      await store.put('a', 'User', user('1', 'new@x', 40));
      expect((await store.get('a', 'User', '1'))?.scim).toEqual({ userName: 'new@x' });
      await store.fill('a', 'User', 'g2', [user('1', 'old@x', 35), user('2', 'two@x', 35)]);
      await store.complete('a', 'User', 'g2', stats, 50);
      expect((await store.get('a', 'User', '1'))?.scim).toEqual({ userName: 'new@x' });
      expect(await store.find('a', 'User', 'key', 'old@x')).toEqual([]);
      expect((await store.find('a', 'User', 'key', 'new@x')).map((entry) => entry.appId)).toEqual(['1']);
      expect(await all(store, 'a')).toEqual(['1', '2']);
    });

    it('keeps a deletion as a tombstone that a stale page cannot bring back', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 10);
      await store.fill('a', 'User', 'g1', [user('1', 'a@x', 10)]);
      await store.complete('a', 'User', 'g1', stats, 20);
      await store.begin('a', 'User', 'g2', 30);
      await store.put('a', 'User', snapshotEntry('User', '1', null, 40));
      await store.fill('a', 'User', 'g2', [user('1', 'a@x', 35)]);
      await store.complete('a', 'User', 'g2', stats, 50);
      expect((await store.get('a', 'User', '1'))?.scim).toBeNull();
      expect(await store.find('a', 'User', 'key', 'a@x')).toEqual([]);
      expect(await all(store, 'a')).toEqual([]);
    });

    it('drops an abandoned generation and ignores writes for a generation that is no longer being written', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 10);
      await store.fill('a', 'User', 'g1', [user('1', 'a@x', 10)]);
      await store.abandon('a', 'User', 'g1');
      await store.fill('a', 'User', 'g1', [user('2', 'b@x', 10)]);
      await store.complete('a', 'User', 'g1', stats, 20);
      expect(await store.state('a', 'User')).toBeUndefined();
      await store.begin('a', 'User', 'g2', 30);
      await store.begin('a', 'User', 'g3', 31);
      await store.fill('a', 'User', 'g2', [user('9', 'late@x', 30)]);
      await store.fill('a', 'User', 'g3', [user('3', 'c@x', 31)]);
      await store.complete('a', 'User', 'g2', stats, 40);
      await store.complete('a', 'User', 'g3', stats, 41);
      expect((await store.state('a', 'User'))?.generation).toBe('g3');
      expect(await all(store, 'a')).toEqual(['3']);
    });

    it('advances the current generation after a listing of changes, keeping when its full listing started', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 100);
      await store.fill('a', 'User', 'g1', [user('1', 'a@x', 100)]);
      await store.complete('a', 'User', 'g1', { ...stats, objects: 1 }, 150);
      await store.put('a', 'User', user('2', 'b@x', 210));
      await store.advance('a', 'User', 'g1', 200, { objects: 2, appCalls: 1, ms: 9 }, 220);
      expect(await store.state('a', 'User')).toEqual({
        generation: 'g1',
        startedAt: 200,
        completedAt: 220,
        fullStartedAt: 100,
        objects: 2,
        appCalls: 1,
        ms: 9,
      });
      await store.advance('a', 'User', 'old', 300, stats, 320);
      expect((await store.state('a', 'User'))?.startedAt).toBe(200);
    });

    it('puts several entries at once, each keeping the newer information', async () => {
      const store = await open();
      await store.begin('a', 'User', 'g1', 10);
      await store.fill('a', 'User', 'g1', [user('1', 'one@x', 10), user('2', 'two@x', 50)]);
      await store.complete('a', 'User', 'g1', stats, 60);
      await store.put('a', 'User', user('1', 'one-new@x', 40), user('2', 'two-stale@x', 40), user('3', 'three@x', 40));
      expect(await all(store, 'a')).toEqual(['1', '2', '3']);
      expect((await store.get('a', 'User', '1'))?.scim).toEqual({ userName: 'one-new@x' });
      expect((await store.get('a', 'User', '2'))?.scim).toEqual({ userName: 'two@x' });
      expect(await store.find('a', 'User', 'key', 'two-stale@x')).toEqual([]);
    });

    it('does not create entries for a put before any snapshot exists', async () => {
      const store = await open();
      await store.put('a', 'User', user('1', 'a@x', 1));
      expect(await store.get('a', 'User', '1')).toBeUndefined();
    });
  });
}
