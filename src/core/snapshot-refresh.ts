/**
 * Refreshing an app snapshot under a lock shared by every replica (a replica that waited for it finds the
 * snapshot just made and does not list again). A full listing streams the app page by page into a new
 * generation. Where the connector can list changes since a time, refreshes between full listings read only
 * what changed since the last one started (less a margin for clock skew) and merge it into the current
 * generation; deletions made in the app show only at the next full listing.
 */
import type { CallContext, ListPage } from './app-connector.ts';
import { snapshotEntry, type SnapshotState } from './app-snapshot.ts';
import { lock, supports, type CoreContext } from './context.ts';
import type { ResourceKind } from './id-map.ts';

export interface RefreshOptions {
  context: CallContext;
  /** A snapshot that started less than this long ago is kept (0: always list). */
  minAgeMs: number;
  /**
   * With a connector that lists changes: a full listing once the last one is this old, listings of changes
   * in between. Absent: always full.
   */
  fullEveryMs?: number;
  /** Called after each page with the objects listed so far. */
  onProgress?: (objects: number) => void;
}

export type RefreshOutcome = { refreshed: boolean; incremental?: boolean; state: SnapshotState };

/** How far before the last listing's start a listing of changes reaches back: the app's clock may differ. */
export const CHANGES_OVERLAP_MS = 60_000;

export async function refreshSnapshot(
  core: CoreContext,
  kind: ResourceKind,
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  supports(core, kind);
  if (!core.snapshots) throw new Error(`The app ${core.app} has no snapshot configured`);
  return lock(core, kind, 'snapshot', async () => {
    const existing = await core.snapshots!.store.state(core.app, kind);
    const now = core.now().getTime();
    if (existing && now - existing.startedAt < options.minAgeMs) return { refreshed: false, state: existing };
    const changesOnly =
      existing !== undefined &&
      options.fullEveryMs !== undefined &&
      core.connector.canListChanges(kind) &&
      now - existing.fullStartedAt < options.fullEveryMs;
    return changesOnly ? listChanges(core, kind, existing, options) : listAll(core, kind, options);
  });
}

async function listAll(core: CoreContext, kind: ResourceKind, options: RefreshOptions): Promise<RefreshOutcome> {
  const store = core.snapshots!.store;
  const generation = core.newId();
  const startedAt = core.now().getTime();
  await store.begin(core.app, kind, generation, startedAt);
  let objects = 0;
  let appCalls = 0;
  try {
    for await (const { page, asked } of pagesOf(core, kind, options.context)) {
      appCalls++;
      await store.fill(
        core.app,
        kind,
        generation,
        page.objects.map((object) => snapshotEntry(kind, object.appId, object.scim, asked)),
      );
      objects += page.objects.length;
      options.onProgress?.(objects);
    }
  } catch (error) {
    await store.abandon(core.app, kind, generation);
    throw error;
  }
  const completedAt = core.now().getTime();
  const stats = { objects, appCalls, ms: completedAt - startedAt };
  await store.complete(core.app, kind, generation, stats, completedAt);
  return { refreshed: true, state: { generation, startedAt, completedAt, fullStartedAt: startedAt, ...stats } };
}

async function listChanges(
  core: CoreContext,
  kind: ResourceKind,
  existing: SnapshotState,
  options: RefreshOptions,
): Promise<RefreshOutcome> {
  const store = core.snapshots!.store;
  const startedAt = core.now().getTime();
  const since = new Date(existing.startedAt - CHANGES_OVERLAP_MS).toISOString();
  let changed = 0;
  let appCalls = 0;
  // A failure leaves the snapshot as it was (each merged entry is newer information either way).
  for await (const { page, asked } of pagesOf(core, kind, options.context, since)) {
    appCalls++;
    await store.put(
      core.app,
      kind,
      ...page.objects.map((object) => snapshotEntry(kind, object.appId, object.scim, asked)),
    );
    changed += page.objects.length;
    options.onProgress?.(changed);
  }
  const completedAt = core.now().getTime();
  const stats = { objects: await store.count(core.app, kind), appCalls, ms: completedAt - startedAt };
  await store.advance(core.app, kind, existing.generation, startedAt, stats, completedAt);
  return {
    refreshed: true,
    incremental: true,
    state: { ...existing, startedAt, completedAt, ...stats },
  };
}

/** The listing's pages, each with when its request started: its information is at least that new. */
async function* pagesOf(
  core: CoreContext,
  kind: ResourceKind,
  context: CallContext,
  changedSince?: string,
): AsyncGenerator<{ page: ListPage; asked: number }> {
  const pages = core.connector
    .list(kind, context, changedSince !== undefined ? { changedSince } : {})
    [Symbol.asyncIterator]();
  for (;;) {
    const asked = core.now().getTime();
    const next = await pages.next();
    if (next.done) return;
    yield { page: next.value, asked };
  }
}
