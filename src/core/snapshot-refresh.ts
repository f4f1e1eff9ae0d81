/**
 * Refreshing an app snapshot: one paced listing of the app through the connector's list operation, streamed
 * page by page into a new generation of the store, under a lock shared by every replica. A replica that
 * waited for the lock finds the snapshot just made and does not list again.
 */
import type { CallContext, ListPage } from './app-connector.ts';
import { snapshotEntry, type SnapshotState } from './app-snapshot.ts';
import { lock, supports, type CoreContext } from './context.ts';
import type { ResourceKind } from './id-map.ts';

export interface RefreshOptions {
  context: CallContext;
  /** A snapshot that started less than this long ago is kept (0: always list). */
  minAgeMs: number;
  /** Called after each page with the objects listed so far. */
  onProgress?: (objects: number) => void;
}

export type RefreshOutcome = { refreshed: boolean; state: SnapshotState };

export async function refreshSnapshot(
  core: CoreContext,
  kind: ResourceKind,
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  supports(core, kind);
  const snapshots = core.snapshots;
  if (!snapshots) throw new Error(`The app ${core.app} has no snapshot configured`);
  return lock(core, kind, 'snapshot', async () => {
    const existing = await snapshots.store.state(core.app, kind);
    if (existing && core.now().getTime() - existing.startedAt < options.minAgeMs)
      return { refreshed: false, state: existing };
    const generation = core.newId();
    const startedAt = core.now().getTime();
    await snapshots.store.begin(core.app, kind, generation, startedAt);
    let objects = 0;
    let appCalls = 0;
    try {
      const pages = core.connector.list(kind, options.context)[Symbol.asyncIterator]();
      for (;;) {
        // A page's information is at least as new as its request: a write answered after that wins.
        const asked = core.now().getTime();
        const next: IteratorResult<ListPage> = await pages.next();
        if (next.done) break;
        appCalls++;
        const page = next.value;
        await snapshots.store.fill(
          core.app,
          kind,
          generation,
          page.objects.map((object) => snapshotEntry(kind, object.appId, object.scim, asked)),
        );
        objects += page.objects.length;
        options.onProgress?.(objects);
      }
    } catch (error) {
      await snapshots.store.abandon(core.app, kind, generation);
      throw error;
    }
    const completedAt = core.now().getTime();
    const stats = { objects, appCalls, ms: completedAt - startedAt };
    await snapshots.store.complete(core.app, kind, generation, stats, completedAt);
    return { refreshed: true, state: { generation, startedAt, completedAt, ...stats } };
  });
}
