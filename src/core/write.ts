/**
 * PATCH, PUT and DELETE. A write starts from the client's last-written values (the shadow), sends the app
 * only what changed (deactivate/reactivate for `active` when the connector has them), applies membership
 * changes one member at a time, and stores the new shadow.
 */
import { ConflictError, NotFoundError, PreconditionFailedError } from '../errors.ts';
import { applyPatch, changedAttributes, parsePatchRequest } from '../scim/patch/apply.ts';
import { normalizeResource, requireKeyAttribute } from '../scim/resource/normalize.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppObject, CallContext } from './app-connector.ts';
import {
  appObject,
  KEY_NAME,
  lock,
  mappedRecord,
  reportUnmapped,
  supports,
  type CoreContext,
  type MappedRecord,
} from './context.ts';
import {
  memberDelta,
  memberDisplays,
  memberValues,
  needsCurrentMembers,
  splitMemberOperations,
  type MemberChange,
} from './group-members.ts';
import { KeyTakenError, normalizeKey, type ResourceKind } from './id-map.ts';
import { applyMembers, currentMembers, memberEntries } from './member-writes.ts';
import { hashOf } from './read-back.ts';
import { referencesToApp } from './references.ts';
import { noteInSnapshot } from './snapshot-reads.ts';
import type { ResourceView } from './views.ts';

export async function patchResource(
  core: CoreContext,
  kind: ResourceKind,
  scimId: string,
  body: unknown,
  context: CallContext,
  options: { ifMatch?: string } = {},
): Promise<ResourceView> {
  supports(core, kind);
  const operations = parsePatchRequest(body);
  return lock(core, kind, `id:${scimId}`, async () => {
    const record = await mappedRecord(core, kind, scimId, context);
    const base = await startingPoint(core, kind, record, context, options.ifMatch);
    const { members, others } =
      kind === 'Group' ? splitMemberOperations(operations) : { members: [], others: operations };
    const { members: baseMembers, ...baseData } = base;
    const next = others.length ? applyPatch(core.resourceTypes[kind], baseData, others).resource : baseData;
    return applyWrite(core, kind, record, baseData, next, members, baseMembers, context);
  });
}

export async function replaceResource(
  core: CoreContext,
  kind: ResourceKind,
  scimId: string,
  body: unknown,
  context: CallContext,
  options: { ifMatch?: string } = {},
): Promise<ResourceView> {
  supports(core, kind);
  const resourceType = core.resourceTypes[kind];
  const data = normalizeResource(resourceType, body);
  requireKeyAttribute(resourceType, data);
  const { members: bodyMembers, ...next } = data;
  const memberChanges: MemberChange[] =
    kind === 'Group' && bodyMembers !== undefined
      ? [{ op: 'replace', values: memberValues(bodyMembers), whole: true }]
      : [];
  return lock(core, kind, `id:${scimId}`, async () => {
    const record = await mappedRecord(core, kind, scimId, context);
    const { members: baseMembers, ...baseData } = await startingPoint(core, kind, record, context, options.ifMatch);
    return applyWrite(core, kind, record, baseData, next, memberChanges, baseMembers, context);
  });
}

/**
 * onDelete: deactivate. The app account is deactivated and the mapping kept, marked deprovisioned: Entra
 * no longer sees the user, and a create of the same userName later reactivates this account (create.ts).
 */
async function deprovision(core: CoreContext, record: MappedRecord, context: CallContext): Promise<void> {
  const present = await core.connector.setActive('User', record.appId, false, context);
  await noteInSnapshot(core, 'User', record.appId, null, core.now().getTime());
  if (!present) {
    await core.idMap.delete(core.app, 'User', record.scimId);
    return;
  }
  await core.idMap.update(core.app, 'User', record.scimId, {
    deprovisioned: true,
    shadow: record.shadow ? { ...record.shadow, active: false } : null,
    appHash: null,
    lastModified: core.now().toISOString(),
  });
}

/** What a write starts from: the client's last-written values, or the app's when it never wrote. */
export async function deleteResource(
  core: CoreContext,
  kind: ResourceKind,
  scimId: string,
  context: CallContext,
  options: { ifMatch?: string } = {},
): Promise<void> {
  supports(core, kind);
  await lock(core, kind, `id:${scimId}`, async () => {
    const record = await mappedRecord(core, kind, scimId, context);
    if (options.ifMatch !== undefined) await startingPoint(core, kind, record, context, options.ifMatch);
    if (kind === 'User' && core.lifecycle.onDelete === 'deactivate') return deprovision(core, record, context);
    await core.connector.delete(kind, record.appId, context);
    await noteInSnapshot(core, kind, record.appId, null, core.now().getTime());
    await core.idMap.delete(core.app, kind, scimId);
  });
}

async function startingPoint(
  core: CoreContext,
  kind: ResourceKind,
  record: MappedRecord,
  context: CallContext,
  ifMatch: string | undefined,
): Promise<ScimResource> {
  if (ifMatch !== undefined) {
    const current = await core.views.compose(kind, record, await appObject(core, kind, record, context), context, {
      members: false,
    });
    if (!etagMatches(ifMatch, versionOf(current))) throw new PreconditionFailedError();
  }
  // Not cloned: the record was read for this request, and applyPatch works on a copy of its own.
  if (record.shadow) return record.shadow;
  return (await core.views.forms(kind, await appObject(core, kind, record, context))).client;
}

async function applyWrite(
  core: CoreContext,
  kind: ResourceKind,
  record: MappedRecord,
  base: ScimResource,
  next: ScimResource,
  memberChanges: MemberChange[],
  baseMembers: unknown,
  context: CallContext,
): Promise<ResourceView> {
  const resourceType = core.resourceTypes[kind];
  const key = requireKeyAttribute(resourceType, next);
  reportUnmapped(core, kind, next);
  if (record.key === null || normalizeKey(key) !== normalizeKey(record.key)) {
    const holder = await core.idMap.findByKey(core.app, kind, key);
    if (holder && holder.scimId !== record.scimId)
      throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
  }
  const changed = changedAttributes(resourceType, base, next);
  const current = needsCurrentMembers(memberChanges)
    ? await currentMembers(core, record.appId, baseMembers, context)
    : undefined;
  const delta = memberDelta(memberChanges, current);
  let appHash = record.appHash;
  if (changed.length) appHash = await sendChanges(core, kind, record, base, next, changed, context);
  const applied = await applyMembers(core, { appId: record.appId, scimId: record.scimId }, delta, context);
  const added = applied.add;
  const shadow: ScimResource = { ...next };
  if (kind === 'Group') {
    const removed = new Set(applied.remove);
    const displays: Record<string, string> = { ...memberDisplays(baseMembers) };
    for (const change of memberChanges) Object.assign(displays, change.displays);
    const kept = memberValues(baseMembers).filter((id) => !removed.has(id));
    const members = [...new Set([...kept, ...added])];
    if (members.length) shadow.members = memberEntries(members, displays);
  }
  const touched = changed.length > 0 || added.length > 0 || applied.remove.length > 0;
  try {
    const externalId = typeof next.externalId === 'string' ? next.externalId : null;
    // Only what changed is written: the key and externalId columns carry indexes.
    const updated = await core.idMap.update(core.app, kind, record.scimId, {
      shadow,
      ...(key !== record.key ? { key } : {}),
      ...(externalId !== record.externalId ? { externalId } : {}),
      appHash,
      ...(touched ? { lastModified: core.now().toISOString() } : {}),
    });
    // The group now says what was applied: an unfinished earlier write has nothing left to skip.
    if (delta.add.length || delta.remove.length) await core.memberProgress.clear(core.app, record.scimId);
    return core.views.fromRecord(updated ?? record, shadow);
  } catch (error) {
    if (error instanceof KeyTakenError)
      throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
    throw error;
  }
}

/** Sends attribute changes to the app; returns the new app hash (null when not known). */
async function sendChanges(
  core: CoreContext,
  kind: ResourceKind,
  record: MappedRecord,
  base: ScimResource,
  next: ScimResource,
  changed: string[],
  context: CallContext,
): Promise<string | null> {
  const toggles = kind === 'User' && changed.includes('active') && core.connector.canSetActive(kind);
  const rest = toggles ? changed.filter((name) => name !== 'active') : changed;
  let object: AppObject | undefined;
  if (rest.length) {
    const old = await referencesToApp(core.idMap, core.app, base);
    const scim = await referencesToApp(core.idMap, core.app, next);
    if (toggles) old.active = scim.active;
    const result = await core.connector.update(kind, record.appId, { scim, old, changed: rest }, context);
    if (result === 'notFound') return lostInApp(core, kind, record);
    object = result;
  }
  if (toggles && !(await core.connector.setActive(kind, record.appId, next.active !== false, context)))
    return lostInApp(core, kind, record);
  // What the app answered is its new form; after a toggle (or no answer) the snapshot no longer knows it.
  const known = object && !toggles ? object : undefined;
  await noteInSnapshot(core, kind, record.appId, known?.scim ?? null, core.now().getTime());
  return known ? hashOf((await core.views.forms(kind, known)).client) : null;
}

async function lostInApp(core: CoreContext, kind: ResourceKind, record: MappedRecord): Promise<never> {
  await noteInSnapshot(core, kind, record.appId, null, core.now().getTime());
  await core.idMap.delete(core.app, kind, record.scimId);
  throw new NotFoundError(`${kind} ${JSON.stringify(record.scimId)} not found (the app no longer has it)`);
}

/**
 * Views are not changed once made; the ETag header and meta.version of one answer ask for the same hash,
 * kept on the view under a symbol (JSON and spreads of the view leave it out; a WeakMap entry per answer
 * cost more than the lookup saved).
 */
const VERSION = Symbol('view version');

/** The weak ETag of a view: a hash of what the client sees. */
export function versionOf(view: ResourceView): string {
  const holder = view as ResourceView & { [VERSION]?: string };
  let version = holder[VERSION];
  if (version === undefined) {
    version = `W/"${hashOf({ id: view.id, data: view.data, lastModified: view.lastModified })}"`;
    Object.defineProperty(holder, VERSION, { value: version });
  }
  return version;
}

export function etagMatches(header: string, version: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(version));
}
