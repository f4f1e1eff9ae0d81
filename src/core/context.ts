/**
 * What every provisioning operation shares: the app, its connector, the IdMap, locks, clocks, and the
 * small steps they all take (find a mapped record, read its app object, search the app).
 */
import { NotFoundError, NotSupportedError, ScimRequestError } from '../errors.ts';
import type { Filter } from '../scim/filter/ast.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppResourceTypes } from '../scim/schema/extensions.ts';
import type { AppConnector, AppObject, CallContext } from './app-connector.ts';
import type { AppSnapshots } from './app-snapshot.ts';
import type { ProvisioningEvents } from './events.ts';
import {
  KeyTakenError,
  normalizeKey,
  type IdMap,
  type LockManager,
  type MappingRecord,
  type ResourceKind,
} from './id-map.ts';
import type { MemberProgress } from './member-progress.ts';
import { pushdownCandidates } from './query-plan.ts';
import { readAppObject } from './snapshot-reads.ts';
import type { Views } from './views.ts';

export interface CoreContext {
  app: string;
  resourceTypes: AppResourceTypes;
  connector: AppConnector;
  idMap: IdMap;
  locks: LockManager;
  memberProgress: MemberProgress;
  events: ProvisioningEvents;
  views: Views;
  /** What Entra's DELETE does, and whether accounts the app already holds are taken over. */
  lifecycle: Lifecycle;
  /** The app snapshot, when the app has one configured: reads are answered from it while it is fresh. */
  snapshots?: { store: AppSnapshots; maxAgeMs: number };
  now(): Date;
  newId(): string;
}

export type MappedRecord = MappingRecord & { appId: string };

export interface Lifecycle {
  /** deactivate: the app account is deactivated and its mapping kept (deprovisioned) for a re-assignment. */
  onDelete: 'delete' | 'deactivate';
  /** false: app accounts the gateway did not create are never mapped; a create meeting one is a 409. */
  adoptExisting: boolean;
}

export const DEFAULT_LIFECYCLE: Lifecycle = { onDelete: 'delete', adoptExisting: true };

export const KEY_NAME: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };

export function supports(core: CoreContext, kind: ResourceKind): void {
  if (!core.connector.supports(kind))
    throw new NotSupportedError(`This app does not provision ${kind === 'User' ? 'users' : 'groups'}`);
}

/**
 * Tells the operator about attributes in a write that the app does not hold (they are kept and read back,
 * but never sent): "nickName", "urn:…:CustomExtensionName:2.0:User:CustomAttribute".
 */
export function reportUnmapped(core: CoreContext, kind: ResourceKind, data: ScimResource): void {
  const held = core.views.mappedLowerCase(kind);
  const names: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key === 'members') continue;
    if (/^urn:/i.test(key) && value && typeof value === 'object' && !Array.isArray(value)) {
      for (const attribute of Object.keys(value))
        if (!held.has(`${key}:${attribute}`.toLowerCase())) names.push(`${key}:${attribute}`);
    } else if (!held.has(key.toLowerCase())) {
      names.push(key);
    }
  }
  if (names.length) core.events.unmappedAttributes(kind, names);
}

export function lock<T>(core: CoreContext, kind: ResourceKind, name: string, work: () => Promise<T>): Promise<T> {
  return core.locks.withLock(`${core.app}:${kind}:${name}`, work);
}

export async function mappedRecord(
  core: CoreContext,
  kind: ResourceKind,
  scimId: string,
  context: CallContext,
): Promise<MappedRecord> {
  const record = await core.idMap.get(core.app, kind, scimId);
  // A deprovisioned mapping is deleted as far as Entra knows (onDelete: deactivate).
  const found = record && !record.deprovisioned ? await completed(core, kind, record, context) : undefined;
  if (!found) throw new NotFoundError(`${kind} ${JSON.stringify(scimId)} not found`);
  return found;
}

/**
 * A create stores its app id once its answer has gone out (confirmCreate), so a client that was quick to
 * use the new SCIM id, or asked another replica, can meet the reservation: the app object is then found by
 * its key, as a retried create would. Undefined when the app has no such object (yet).
 */
async function completed(
  core: CoreContext,
  kind: ResourceKind,
  record: MappingRecord,
  context: CallContext,
): Promise<MappedRecord | undefined> {
  if (record.appId !== null) return record as MappedRecord;
  if (record.key === null) return undefined;
  const found = await findByKeyInApp(core, kind, record.key, context);
  if (!found) return undefined;
  try {
    return (await core.idMap.update(core.app, kind, record.scimId, { appId: found.appId })) as MappedRecord | undefined;
  } catch (error) {
    // Mapped to another SCIM id meanwhile: this reservation did not make it.
    if (error instanceof KeyTakenError) return undefined;
    throw error;
  }
}

/** The record's app object (from a fresh snapshot when `fresh` and it knows it); 404 when the app lost it. */
export async function appObject(
  core: CoreContext,
  kind: ResourceKind,
  record: MappedRecord,
  context: CallContext,
  fresh = false,
): Promise<AppObject> {
  const object = await readAppObject(core, kind, record.appId, context, fresh);
  if (object) return object;
  // Deleted in the app behind the gateway's back: forget the mapping so the key can be reused.
  await core.idMap.delete(core.app, kind, record.scimId);
  throw new NotFoundError(`${kind} ${JSON.stringify(record.scimId)} not found (the app no longer has it)`);
}

export async function findByKeyInApp(
  core: CoreContext,
  kind: ResourceKind,
  key: string,
  context: CallContext,
): Promise<AppObject | undefined> {
  const filter: Filter = { kind: 'compare', path: { attr: KEY_NAME[kind] }, op: 'eq', value: key };
  for await (const object of appObjects(core, kind, filter, context)) {
    const value = object.scim[KEY_NAME[kind]];
    if (typeof value === 'string' && normalizeKey(value) === normalizeKey(key)) return object;
  }
  return undefined;
}

/** App objects that may match `filter`, using the app's own search when the connector declares it. */
export async function* appObjects(
  core: CoreContext,
  kind: ResourceKind,
  filter: Filter | undefined,
  context: CallContext,
): AsyncGenerator<AppObject> {
  const pushdown = pushdownCandidates(filter, core.resourceTypes[kind]).find((candidate) =>
    core.connector.pushdown(kind, candidate.attribute, candidate.op),
  );
  const maxScan = core.connector.connector.resources[kind]?.list.maxScan ?? 10_000;
  let scanned = 0;
  for await (const page of core.connector.list(kind, context, pushdown ? { filter: pushdown } : {})) {
    for (const object of page.objects) {
      if (++scanned > maxScan && !pushdown) {
        throw new ScimRequestError(
          'tooMany',
          `The filter needs more than ${maxScan} objects read from the app; use userName, externalId or another filter the app can answer`,
        );
      }
      yield object;
    }
  }
}
