/**
 * Reads answered from the app snapshot while it is fresh (core/app-snapshot.ts), and writes that keep it in
 * step. A fresh snapshot is complete as of its listing plus every write made through the gateway since, so
 * a lookup it cannot match is "no match" without asking the app; an object it does not know (changed by a
 * call whose answer was not the object) is read from the app and noted.
 */
import type { Filter } from '../scim/filter/ast.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppObject, CallContext } from './app-connector.ts';
import { snapshotEntry, type SnapshotEntry, type SnapshotIndex } from './app-snapshot.ts';
import type { CoreContext } from './context.ts';
import { normalizeKey, type ResourceKind } from './id-map.ts';
import { pushdownCandidates, type Plan } from './query-plan.ts';

const WORK_EMAIL = 'emails[type eq "work"].value';

/** Whether reads of this kind may be answered from the snapshot now. */
export async function snapshotFresh(core: CoreContext, kind: ResourceKind): Promise<boolean> {
  const snapshots = core.snapshots;
  if (!snapshots) return false;
  const state = await snapshots.store.state(core.app, kind);
  return state !== undefined && core.now().getTime() - state.startedAt <= snapshots.maxAgeMs;
}

/** The app object, from a fresh snapshot when it knows it, otherwise from the app (and then noted). */
export async function readAppObject(
  core: CoreContext,
  kind: ResourceKind,
  appId: string,
  context: CallContext,
  fresh: boolean,
): Promise<AppObject | undefined> {
  if (fresh) {
    const entry = await core.snapshots!.store.get(core.app, kind, appId);
    if (entry?.scim) return objectOf(entry);
  }
  const asked = core.now().getTime();
  const object = await core.connector.get(kind, appId, context);
  if (fresh) await noteInSnapshot(core, kind, appId, object?.scim ?? null, asked);
  return object;
}

/**
 * The objects a fresh snapshot holds for a query Entra matches on (userName / displayName, externalId, the
 * work e-mail); undefined when the filter is not one of those and the app must be asked.
 */
export async function snapshotCandidates(
  core: CoreContext,
  kind: ResourceKind,
  filter: Filter,
  plan: Plan,
): Promise<AppObject[] | undefined> {
  const lookup = snapshotLookup(core, kind, filter, plan);
  if (!lookup) return undefined;
  const entries = await core.snapshots!.store.find(core.app, kind, lookup.index, lookup.value);
  return entries.map(objectOf);
}

function snapshotLookup(
  core: CoreContext,
  kind: ResourceKind,
  filter: Filter,
  plan: Plan,
): { index: SnapshotIndex; value: string } | undefined {
  if (plan.kind === 'key') return { index: 'key', value: normalizeKey(plan.value) };
  if (plan.kind === 'externalId') return { index: 'externalId', value: plan.value };
  if (kind !== 'User') return undefined;
  const email = pushdownCandidates(filter, core.resourceTypes[kind]).find(
    (candidate) => candidate.attribute === WORK_EMAIL && candidate.op === 'eq',
  );
  return email ? { index: 'email', value: email.value.toLowerCase() } : undefined;
}

/**
 * Records what a write did to an app object: its new form when the app answered with it, null when the
 * object is gone or its new form is unknown. `at` is when the app was asked.
 */
export async function noteInSnapshot(
  core: CoreContext,
  kind: ResourceKind,
  appId: string,
  scim: ScimResource | null,
  at: number,
): Promise<void> {
  await core.snapshots?.store.put(core.app, kind, snapshotEntry(kind, appId, scim, at));
}

/** A live snapshot entry as the app object it stands for (its raw app form is not kept). */
export function objectOf(entry: SnapshotEntry): AppObject {
  return { appId: entry.appId, raw: undefined, scim: entry.scim! };
}
