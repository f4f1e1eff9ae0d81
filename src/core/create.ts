/**
 * POST: a create is serialised per (app, kind, key). The key is reserved before the app is called, and the
 * reservation survives an unknown outcome (a timeout), so a retried POST finds the app object by lookup
 * and is answered with the first attempt's SCIM id instead of creating a second object.
 */
import { ConflictError, GatewayError } from '../errors.ts';
import { changedAttributes } from '../scim/patch/apply.ts';
import { normalizeResource, requireKeyAttribute } from '../scim/resource/normalize.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppObject, CallContext } from './app-connector.ts';
import {
  appObject,
  findByKeyInApp,
  KEY_NAME,
  lock,
  reportUnmapped,
  supports,
  type CoreContext,
  type MappedRecord,
} from './context.ts';
import { memberDisplays, memberValues } from './group-members.ts';
import { normalizeKey, type MappingRecord, type NewRecord, type RecordChanges, type ResourceKind } from './id-map.ts';
import { applyMembers, memberEntries } from './member-writes.ts';
import { hashOf } from './read-back.ts';
import { referencesToApp } from './references.ts';
import { noteInSnapshot } from './snapshot-reads.ts';
import type { ResourceView } from './views.ts';

/** A create's answer, with what it still has to write once the answer has gone out (confirmCreate). */
export interface CreatedView extends ResourceView {
  /** The app object's id, when this request created or reactivated it. */
  appId?: string;
  completion?: RecordChanges;
}

export async function createResource(
  core: CoreContext,
  kind: ResourceKind,
  body: unknown,
  context: CallContext,
): Promise<CreatedView> {
  supports(core, kind);
  const resourceType = core.resourceTypes[kind];
  const data = normalizeResource(resourceType, body);
  const key = requireKeyAttribute(resourceType, data);
  reportUnmapped(core, kind, data);
  const members =
    kind === 'Group'
      ? memberValues(body && typeof body === 'object' ? (body as Record<string, unknown>).members : undefined)
      : [];
  const displays = kind === 'Group' ? memberDisplays((body as Record<string, unknown>).members) : {};
  delete data.members;
  const toApp = await referencesToApp(core.idMap, core.app, data);
  return lock(core, kind, `key:${normalizeKey(key)}`, async () => {
    // Most creates are of new objects: reserve at once, and look at the holder only when the key is taken.
    const first = await core.idMap.reserve(reservation(core, kind, key, data));
    let existing = first.ok ? undefined : first.existing;
    if (existing?.deprovisioned && existing.appId !== null) {
      const reactivated = await reactivate(core, kind, existing as MappedRecord, data, toApp, context);
      if (reactivated) return reactivated;
      existing = undefined;
    }
    const reserved = first.ok ? first.record : await claim(core, kind, key, existing, data, context);
    if (!('key' in reserved)) return reserved;
    const scimId = reserved.scimId;
    let object: AppObject;
    try {
      object = await createInApp(core, kind, scimId, key, toApp, context);
    } catch (error) {
      // An unknown outcome (any 503: the app's or the store's) keeps the reservation: a retry will find
      // the object by lookup.
      if (!(error instanceof GatewayError && error.status === 503)) await core.idMap.delete(core.app, kind, scimId);
      throw error;
    }
    let appKnown = true;
    if (
      kind === 'User' &&
      data.active === false &&
      object.scim.active !== false &&
      core.connector.canSetActive('User')
    ) {
      await core.connector.setActive('User', object.appId, false, context);
      appKnown = false;
    }
    const { add: added } = await applyMembers(core, { appId: object.appId }, { add: members, remove: [] }, context);
    const shadow = added.length ? { ...data, members: memberEntries(added, displays) } : data;
    const appHash = appKnown ? hashOf((await core.views.forms(kind, object)).client) : null;
    await noteInSnapshot(core, kind, object.appId, appKnown ? object.scim : null, core.now().getTime());
    // The app id goes into the store with the commit, in one write once the 201 has gone out (confirmCreate).
    // Until then the record is a pending reservation, which a retry or a read resolves by lookup.
    const completion = { appId: object.appId, appHash, ...(shadow === reserved.shadow ? {} : { shadow }) };
    return { ...core.views.fromRecord(reserved, shadow), appId: object.appId, completion };
  });
}

/**
 * A create of a user deprovisioned earlier (onDelete: deactivate): reactivates the same app account with
 * what Entra sends now and answers with the mapping's SCIM id. Undefined when the app lost the account:
 * the mapping is then forgotten, so the create goes ahead.
 */
async function reactivate(
  core: CoreContext,
  kind: ResourceKind,
  record: MappedRecord,
  data: ScimResource,
  toApp: ScimResource,
  context: CallContext,
): Promise<ResourceView | undefined> {
  const object = await core.connector.get(kind, record.appId, context);
  // Entra may create the user inactive: then the account stays deactivated, with the new attributes.
  const active = data.active !== false;
  if (!object || (active && !(await core.connector.setActive(kind, record.appId, true, context)))) {
    await core.idMap.delete(core.app, kind, record.scimId);
    return undefined;
  }
  const current = await core.views.forms(kind, object);
  const changed = changedAttributes(core.resourceTypes[kind], current.connector, toApp).filter(
    (name) => name !== 'active',
  );
  const updated = changed.length
    ? await core.connector.update(kind, record.appId, { scim: toApp, old: current.connector, changed }, context)
    : undefined;
  if (updated === 'notFound') {
    await core.idMap.delete(core.app, kind, record.scimId);
    return undefined;
  }
  await noteInSnapshot(core, kind, record.appId, null, core.now().getTime());
  // Uncommitted like any create until its 201 is written (confirmCreate); the app's form is read again later.
  const live = await core.idMap.update(core.app, kind, record.scimId, {
    deprovisioned: false,
    committed: false,
    shadow: data,
    externalId: typeof data.externalId === 'string' ? data.externalId : null,
    appHash: null,
    lastModified: core.now().toISOString(),
  });
  return core.views.fromRecord(live!, data);
}

/**
 * The create's answer has gone out (`delivered`) or was lost: writes what the create still owes the store
 * in one write. Delivered, a POST repeating it is now a duplicate (409); lost, a retry gets its SCIM id.
 */
export async function confirmCreate(
  core: CoreContext,
  kind: ResourceKind,
  view: CreatedView,
  delivered: boolean,
): Promise<void> {
  const changes = { ...view.completion, ...(delivered ? { committed: true } : {}) };
  if (Object.keys(changes).length) await core.idMap.update(core.app, kind, view.id, changes);
}

/**
 * Reserves the key for a new object and returns its SCIM id, or returns the existing object's view when
 * this POST repeats one that already succeeded (same externalId), or throws 409. `existing` is the record
 * holding the key, found under the key's lock.
 */
async function claim(
  core: CoreContext,
  kind: ResourceKind,
  key: string,
  existing: MappingRecord | undefined,
  data: ScimResource,
  context: CallContext,
): Promise<MappingRecord | CreatedView> {
  if (existing) {
    const settled = await settle(core, kind, existing, key, context);
    if (settled === 'reuse') return existing;
    if (settled) {
      if (!settled.committed && data.externalId !== undefined && settled.externalId === data.externalId) {
        // The first attempt's answer was lost: answer this one with its SCIM id, once.
        const committed = await core.idMap.update(core.app, kind, settled.scimId, {
          committed: true,
          shadow: settled.shadow ?? data,
        });
        return core.views.compose(
          kind,
          committed as MappedRecord,
          await appObject(core, kind, settled, context),
          context,
          { members: true },
        );
      }
      throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
    }
  }
  const reserved = await core.idMap.reserve(reservation(core, kind, key, data));
  if (!reserved.ok) throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
  return reserved.record;
}

/** A new object's record: its key held, no app id yet, uncommitted until its answer has gone out. */
function reservation(core: CoreContext, kind: ResourceKind, key: string, data: ScimResource): NewRecord {
  const now = core.now().toISOString();
  return {
    app: core.app,
    kind,
    scimId: core.newId(),
    key,
    externalId: typeof data.externalId === 'string' ? data.externalId : null,
    shadow: data,
    appHash: null,
    created: now,
    lastModified: now,
    committed: false,
  };
}

/**
 * Brings a record holding the key up to date with the app: an object the app lost is forgotten
 * (undefined); a reservation whose create may have succeeded is completed by lookup, or handed back for
 * reuse ('reuse') when the app has no such object.
 */
async function settle(
  core: CoreContext,
  kind: ResourceKind,
  record: MappingRecord,
  key: string,
  context: CallContext,
): Promise<MappedRecord | 'reuse' | undefined> {
  if (record.appId !== null) {
    if (await core.connector.get(kind, record.appId, context)) return record as MappedRecord;
    await core.idMap.delete(core.app, kind, record.scimId);
    return undefined;
  }
  const found = await findByKeyInApp(core, kind, key, context);
  if (!found) return 'reuse';
  const updated = await core.idMap.update(core.app, kind, record.scimId, { appId: found.appId });
  return updated as MappedRecord;
}

async function createInApp(
  core: CoreContext,
  kind: ResourceKind,
  scimId: string,
  key: string,
  toApp: ScimResource,
  context: CallContext,
): Promise<AppObject> {
  const result = await core.connector.create(kind, toApp, scimId, context);
  if ('created' in result) {
    // The app id is stored once the answer has gone out (confirmCreate): until then the record is a
    // pending reservation, which a retry or a read resolves by lookup whatever happened in between.
    return result.created;
  }
  const conflict = () =>
    new ConflictError(`The app already has a ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)}`);
  if (core.connector.connector.resources[kind]?.create?.onConflict !== 'adopt' || !core.lifecycle.adoptExisting)
    throw conflict();
  const found = await findByKeyInApp(core, kind, key, context);
  if (!found) throw conflict();
  const owner = (await core.idMap.getByAppIds(core.app, kind, [found.appId])).get(found.appId);
  if (owner && owner.scimId !== scimId) throw conflict();
  await core.idMap.update(core.app, kind, scimId, { appId: found.appId });
  // Adopted: make the app object say what the client asked for.
  const current = await core.views.forms(kind, found);
  const changed = changedAttributes(core.resourceTypes[kind], current.connector, toApp);
  if (!changed.length) return found;
  const updated = await core.connector.update(
    kind,
    found.appId,
    { scim: toApp, old: current.connector, changed },
    context,
  );
  if (updated === 'notFound') throw conflict();
  return updated ?? found;
}
