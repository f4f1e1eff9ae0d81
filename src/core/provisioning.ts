/**
 * SCIM semantics for one app: create, get, query, replace, patch and delete of Users and Groups, on top
 * of a connector (app calls) and the IdMap (ids, keys, last-written values).
 *
 * Invariants:
 * - The gateway owns SCIM ids; an app object gets one the first time the gateway sees it.
 * - A create is serialised per (app, kind, key). Its key is reserved before the app is called, and the
 *   reservation survives an unknown outcome (a timeout), so a retried POST finds the app object by lookup
 *   and answers with the first attempt's SCIM id instead of creating a second object.
 * - Nothing is written to the IdMap for a request that fails validation.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, NotSupportedError, PreconditionFailedError, ScimRequestError, UnavailableError } from '../errors.ts';
import { compileFilter, validateFilter } from '../scim/filter/evaluate.ts';
import { parseFilter } from '../scim/filter/parse.ts';
import { applyPatch, changedAttributes, parsePatchRequest } from '../scim/patch/apply.ts';
import { resourceTypes } from '../scim/schema/core-schemas.ts';
import { normalizeResource, requireKeyAttribute } from '../scim/resource/normalize.ts';
import { sortResources, type SortOrder } from '../scim/resource/sort.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppConnector, AppObject, CallContext } from './app-connector.ts';
import { memberDelta, memberDisplays, memberValues, needsCurrentMembers, splitMemberOperations, type MemberChange } from './group-members.ts';
import { KeyTakenError, normalizeKey, type IdMap, type LockManager, type MappingRecord, type ResourceKind } from './id-map.ts';
import { planQuery, pushdownCandidates } from './query-plan.ts';
import { hashOf } from './read-back.ts';
import { referencesToApp } from './references.ts';
import { Views, type ResourceView } from './views.ts';
import type { Filter } from '../scim/filter/ast.ts';

export interface ProvisioningOptions {
  app: string;
  connector: AppConnector;
  idMap: IdMap;
  locks: LockManager;
  now?: () => Date;
  newId?: () => string;
}

export interface QueryInput {
  filter?: string;
  startIndex: number;
  count: number;
  sortBy?: string;
  sortOrder?: SortOrder;
  /** Include group members (false when the client excluded them). */
  members: boolean;
}

export interface QueryResult {
  resources: ResourceView[];
  totalResults: number;
  startIndex: number;
}

const KEY_NAME: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };

export class Provisioning {
  readonly app: string;
  readonly #connector: AppConnector;
  readonly #idMap: IdMap;
  readonly #locks: LockManager;
  readonly #now: () => Date;
  readonly #newId: () => string;
  readonly views: Views;

  constructor(options: ProvisioningOptions) {
    this.app = options.app;
    this.#connector = options.connector;
    this.#idMap = options.idMap;
    this.#locks = options.locks;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? randomUUID;
    this.views = new Views(options.app, options.connector, options.idMap);
  }

  #supports(kind: ResourceKind): void {
    if (!this.#connector.supports(kind)) throw new NotSupportedError(`This app does not provision ${kind === 'User' ? 'users' : 'groups'}`);
  }

  #lock<T>(kind: ResourceKind, name: string, work: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`${this.app}:${kind}:${name}`, work);
  }

  async #record(kind: ResourceKind, scimId: string): Promise<MappingRecord & { appId: string }> {
    const record = await this.#idMap.get(this.app, kind, scimId);
    if (!record || record.appId === null) throw new NotFoundError(`${kind} ${JSON.stringify(scimId)} not found`);
    return record as MappingRecord & { appId: string };
  }

  async #appObject(kind: ResourceKind, record: MappingRecord & { appId: string }, context: CallContext): Promise<AppObject> {
    const object = await this.#connector.get(kind, record.appId, context);
    if (object) return object;
    // Deleted in the app behind the gateway's back: forget the mapping so the key can be reused.
    await this.#idMap.delete(this.app, kind, record.scimId);
    throw new NotFoundError(`${kind} ${JSON.stringify(record.scimId)} not found (the app no longer has it)`);
  }

  // ---------------------------------------------------------------- create

  async create(kind: ResourceKind, body: unknown, context: CallContext): Promise<ResourceView> {
    this.#supports(kind);
    const resourceType = resourceTypes[kind];
    const data = normalizeResource(resourceType, body);
    const key = requireKeyAttribute(resourceType, data);
    const members = kind === 'Group' ? memberValues(body && typeof body === 'object' ? (body as Record<string, unknown>).members : undefined) : [];
    const displays = kind === 'Group' ? memberDisplays((body as Record<string, unknown>).members) : {};
    delete data.members;
    const toApp = await referencesToApp(this.#idMap, this.app, data);
    return this.#lock(kind, `key:${normalizeKey(key)}`, async () => {
      const scimId = await this.#claim(kind, key, data, context);
      if (typeof scimId !== 'string') return scimId;
      let object: AppObject;
      try {
        object = await this.#createInApp(kind, scimId, key, toApp, context);
      } catch (error) {
        // An unknown outcome keeps the reservation: a retry will find the object by lookup.
        if (!(error instanceof UnavailableError)) await this.#idMap.delete(this.app, kind, scimId);
        throw error;
      }
      let appKnown = true;
      if (kind === 'User' && data.active === false && object.scim.active !== false && this.#connector.canSetActive('User')) {
        await this.#connector.setActive('User', object.appId, false, context);
        appKnown = false;
      }
      const added = await this.#applyMembers(object.appId, { add: members, remove: [] }, context);
      const shadow = added.length ? { ...data, members: memberEntries(added, displays) } : data;
      const appHash = appKnown ? hashOf((await this.views.forms(kind, object)).client) : null;
      const record = await this.#idMap.update(this.app, kind, scimId, { shadow, appHash, committed: true });
      return this.views.fromRecord(record!, shadow);
    });
  }

  /**
   * Reserves the key for a new object and returns its SCIM id, or returns the existing object's view when
   * this POST repeats one that already succeeded (same externalId), or throws 409.
   */
  async #claim(kind: ResourceKind, key: string, data: ScimResource, context: CallContext): Promise<string | ResourceView> {
    const existing = await this.#idMap.findByKey(this.app, kind, key);
    if (existing) {
      const settled = await this.#settle(kind, existing, key, context);
      if (settled === 'reuse') return existing.scimId;
      if (settled) {
        if (!settled.committed && data.externalId !== undefined && settled.externalId === data.externalId) {
          // The first attempt's answer was lost: answer this one with its SCIM id, once.
          const committed = await this.#idMap.update(this.app, kind, settled.scimId, { committed: true, shadow: settled.shadow ?? data });
          return this.views.compose(kind, committed as MappingRecord & { appId: string }, await this.#appObject(kind, settled, context), context, { members: true });
        }
        throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
      }
    }
    const now = this.#now().toISOString();
    const reserved = await this.#idMap.reserve({
      app: this.app,
      kind,
      scimId: this.#newId(),
      key,
      externalId: typeof data.externalId === 'string' ? data.externalId : null,
      shadow: data,
      appHash: null,
      created: now,
      lastModified: now,
      committed: false,
    });
    if (!reserved.ok) throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
    return reserved.record.scimId;
  }

  /**
   * Brings a record holding the key up to date with the app: an object the app lost is forgotten
   * (undefined); a reservation whose create may have succeeded is completed by lookup, or handed back for
   * reuse ('reuse') when the app has no such object.
   */
  async #settle(kind: ResourceKind, record: MappingRecord, key: string, context: CallContext): Promise<(MappingRecord & { appId: string }) | 'reuse' | undefined> {
    if (record.appId !== null) {
      if (await this.#connector.get(kind, record.appId, context)) return record as MappingRecord & { appId: string };
      await this.#idMap.delete(this.app, kind, record.scimId);
      return undefined;
    }
    const found = await this.#findByKeyInApp(kind, key, context);
    if (!found) return 'reuse';
    const updated = await this.#idMap.update(this.app, kind, record.scimId, { appId: found.appId });
    return updated as MappingRecord & { appId: string };
  }

  async #createInApp(kind: ResourceKind, scimId: string, key: string, toApp: ScimResource, context: CallContext): Promise<AppObject> {
    const result = await this.#connector.create(kind, toApp, scimId, context);
    if ('created' in result) {
      await this.#idMap.update(this.app, kind, scimId, { appId: result.created.appId });
      return result.created;
    }
    const conflict = () => new ConflictError(`The app already has a ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)}`);
    if (this.#connector.connector.resources[kind]?.create?.onConflict !== 'adopt') throw conflict();
    const found = await this.#findByKeyInApp(kind, key, context);
    if (!found) throw conflict();
    const owner = (await this.#idMap.getByAppIds(this.app, kind, [found.appId])).get(found.appId);
    if (owner && owner.scimId !== scimId) throw conflict();
    await this.#idMap.update(this.app, kind, scimId, { appId: found.appId });
    // Adopted: make the app object say what the client asked for.
    const current = await this.views.forms(kind, found);
    const changed = changedAttributes(resourceTypes[kind], current.connector, toApp);
    if (!changed.length) return found;
    const updated = await this.#connector.update(kind, found.appId, { scim: toApp, old: current.connector, changed }, context);
    if (updated === 'notFound') throw conflict();
    return updated ?? found;
  }

  async #findByKeyInApp(kind: ResourceKind, key: string, context: CallContext): Promise<AppObject | undefined> {
    const filter: Filter = { kind: 'compare', path: { attr: KEY_NAME[kind] }, op: 'eq', value: key };
    for await (const object of this.#appObjects(kind, filter, context)) {
      const value = object.scim[KEY_NAME[kind]];
      if (typeof value === 'string' && normalizeKey(value) === normalizeKey(key)) return object;
    }
    return undefined;
  }

  /** App objects that may match `filter`, using the app's own search when the connector declares it. */
  async *#appObjects(kind: ResourceKind, filter: Filter | undefined, context: CallContext): AsyncGenerator<AppObject> {
    const pushdown = pushdownCandidates(filter, resourceTypes[kind]).find((candidate) => this.#connector.pushdown(kind, candidate.attribute, candidate.op));
    const maxScan = this.#connector.connector.resources[kind]?.list.maxScan ?? 10_000;
    let scanned = 0;
    for await (const page of this.#connector.list(kind, context, pushdown ? { filter: pushdown } : {})) {
      for (const object of page.objects) {
        if (++scanned > maxScan && !pushdown) {
          throw new ScimRequestError('tooMany', `The filter needs more than ${maxScan} objects read from the app; use userName, externalId or another filter the app can answer`);
        }
        yield object;
      }
    }
  }

  // ---------------------------------------------------------------- read

  async get(kind: ResourceKind, scimId: string, context: CallContext, options: { members?: boolean } = {}): Promise<ResourceView> {
    this.#supports(kind);
    const record = await this.#record(kind, scimId);
    return this.views.compose(kind, record, await this.#appObject(kind, record, context), context, { members: options.members ?? true });
  }

  async query(kind: ResourceKind, input: QueryInput, context: CallContext): Promise<QueryResult> {
    this.#supports(kind);
    const resourceType = resourceTypes[kind];
    const filter = input.filter !== undefined && input.filter.trim() !== '' ? parseFilter(input.filter) : undefined;
    if (filter) validateFilter(filter, resourceType);
    const matches = filter ? compileFilter(filter, resourceType) : () => true;
    // Entra's membership check filters on members even when it asks for attributes=id only.
    const filterMembers = kind === 'Group' && filter !== undefined && mentionsMembers(filter);
    const respond = (views: ResourceView[]): QueryResult => {
      let all = views.filter((view) => matches({ ...view.data, id: view.id, meta: { created: view.created, lastModified: view.lastModified, resourceType: kind } }));
      if (filterMembers && !input.members) all = all.map((view) => ({ ...view, data: withoutMembers(view.data) }));
      if (input.sortBy) all = sortResources(resourceType, all.map((v) => ({ ...v.data, id: v.id, __view: v })), input.sortBy, input.sortOrder ?? 'ascending').map((r) => r.__view as ResourceView);
      return { totalResults: all.length, startIndex: input.startIndex, resources: all.slice(input.startIndex - 1, input.startIndex - 1 + input.count) };
    };
    const viewOptions = { members: input.members || filterMembers };
    const plan = planQuery(filter, resourceType);
    if (plan.kind === 'id') {
      const record = await this.#idMap.get(this.app, kind, plan.id);
      if (!record?.appId) return respond([]);
      const object = await this.#connector.get(kind, record.appId, context);
      return respond(object ? [await this.views.compose(kind, record, object, context, viewOptions)] : []);
    }
    if (plan.kind === 'key' || plan.kind === 'externalId') {
      const records = plan.kind === 'key' ? [await this.#idMap.findByKey(this.app, kind, plan.value)].filter((r) => r !== undefined) : await this.#idMap.findByExternalId(this.app, kind, plan.value);
      const views: ResourceView[] = [];
      for (const record of records) {
        if (!record.appId) continue;
        const object = await this.#connector.get(kind, record.appId, context);
        if (object) views.push(await this.views.compose(kind, record, object, context, viewOptions));
        else await this.#idMap.delete(this.app, kind, record.scimId);
      }
      // Known to the gateway: the answer is final. Unknown: the app may hold it from before the gateway.
      if (views.length) return respond(views);
    }
    if (!filter && !input.sortBy) return this.#window(kind, input, context);
    const views: ResourceView[] = [];
    const batch: AppObject[] = [];
    const flush = async () => {
      views.push(...(await this.#viewsOf(kind, batch.splice(0), context, { members: false })));
    };
    for await (const object of this.#appObjects(kind, filter, context)) {
      batch.push(object);
      if (batch.length >= 200) await flush();
    }
    await flush();
    if (filterMembers) views.splice(0, views.length, ...(await this.#withMembers(views, context)));
    const result = respond(views);
    if (kind === 'Group' && input.members && !filterMembers) result.resources = await this.#withMembers(result.resources, context);
    return result;
  }

  /** An unfiltered, unsorted page: read only the app pages that hold it when the app reports a total. */
  async #window(kind: ResourceKind, input: QueryInput, context: CallContext): Promise<QueryResult> {
    const start = input.startIndex - 1;
    const maxScan = this.#connector.connector.resources[kind]?.list.maxScan ?? 10_000;
    const picked: AppObject[] = [];
    let total: number | undefined;
    let seen = start;
    for await (const page of this.#connector.list(kind, context, { startOffset: start })) {
      total ??= page.total;
      for (const [index, object] of page.objects.entries()) {
        const position = page.offset + index;
        if (position >= start && picked.length < input.count) picked.push(object);
      }
      seen = page.offset + page.objects.length;
      if (picked.length >= input.count && total !== undefined) break;
      if (seen - start > maxScan) break;
    }
    const views = await this.#viewsOf(kind, picked, context, { members: false });
    const resources = kind === 'Group' && input.members ? await this.#withMembers(views, context) : views;
    return { resources, totalResults: total ?? Math.max(seen, start + picked.length), startIndex: input.startIndex };
  }

  async #viewsOf(kind: ResourceKind, objects: AppObject[], context: CallContext, options: { members: boolean }): Promise<ResourceView[]> {
    if (!objects.length) return [];
    const now = this.#now().toISOString();
    const candidates = [];
    for (const object of objects) {
      const forms = await this.views.forms(kind, object);
      const key = forms.client[KEY_NAME[kind]];
      candidates.push({
        appId: object.appId,
        key: typeof key === 'string' && key !== '' ? key : null,
        externalId: typeof forms.client.externalId === 'string' ? forms.client.externalId : null,
        scimId: this.#newId(),
        created: forms.created ?? now,
      });
    }
    const records = await this.#idMap.adopt(this.app, kind, candidates);
    const views: ResourceView[] = [];
    for (const [index, object] of objects.entries()) views.push(await this.views.compose(kind, records[index]!, object, context, options));
    return views;
  }

  async #withMembers(views: ResourceView[], context: CallContext): Promise<ResourceView[]> {
    const out: ResourceView[] = [];
    for (const view of views) {
      const record = await this.#idMap.get(this.app, 'Group', view.id);
      const members = record?.appId ? await this.views.members(record.appId, context, record.shadow?.members) : undefined;
      out.push(members?.length ? { ...view, data: { ...view.data, members } } : view);
    }
    return out;
  }

  // ---------------------------------------------------------------- write

  async patch(kind: ResourceKind, scimId: string, body: unknown, context: CallContext, options: { ifMatch?: string } = {}): Promise<ResourceView> {
    this.#supports(kind);
    const operations = parsePatchRequest(body);
    return this.#lock(kind, `id:${scimId}`, async () => {
      const record = await this.#record(kind, scimId);
      const base = await this.#base(kind, record, context, options.ifMatch);
      const { members, others } = kind === 'Group' ? splitMemberOperations(operations) : { members: [], others: operations };
      const { members: baseMembers, ...baseData } = base;
      const next = others.length ? applyPatch(resourceTypes[kind], baseData, others).resource : baseData;
      return this.#write(kind, record, baseData, next, members, baseMembers, context);
    });
  }

  async replace(kind: ResourceKind, scimId: string, body: unknown, context: CallContext, options: { ifMatch?: string } = {}): Promise<ResourceView> {
    this.#supports(kind);
    const resourceType = resourceTypes[kind];
    const data = normalizeResource(resourceType, body);
    requireKeyAttribute(resourceType, data);
    const { members: bodyMembers, ...next } = data;
    const memberChanges: MemberChange[] = kind === 'Group' && bodyMembers !== undefined ? [{ op: 'replace', values: memberValues(bodyMembers), whole: true }] : [];
    return this.#lock(kind, `id:${scimId}`, async () => {
      const record = await this.#record(kind, scimId);
      const { members: baseMembers, ...baseData } = await this.#base(kind, record, context, options.ifMatch);
      return this.#write(kind, record, baseData, next, memberChanges, baseMembers, context);
    });
  }

  /** What a write starts from: the client's last-written values, or the app's when it never wrote. */
  async #base(kind: ResourceKind, record: MappingRecord & { appId: string }, context: CallContext, ifMatch: string | undefined): Promise<ScimResource> {
    if (ifMatch !== undefined) {
      const current = await this.views.compose(kind, record, await this.#appObject(kind, record, context), context, { members: false });
      if (!etagMatches(ifMatch, versionOf(current))) throw new PreconditionFailedError();
    }
    if (record.shadow) return structuredClone(record.shadow);
    return (await this.views.forms(kind, await this.#appObject(kind, record, context))).client;
  }

  async #write(
    kind: ResourceKind,
    record: MappingRecord & { appId: string },
    base: ScimResource,
    next: ScimResource,
    memberChanges: MemberChange[],
    baseMembers: unknown,
    context: CallContext,
  ): Promise<ResourceView> {
    const resourceType = resourceTypes[kind];
    const key = requireKeyAttribute(resourceType, next);
    if (record.key === null || normalizeKey(key) !== normalizeKey(record.key)) {
      const holder = await this.#idMap.findByKey(this.app, kind, key);
      if (holder && holder.scimId !== record.scimId) throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
    }
    const changed = changedAttributes(resourceType, base, next);
    const current = needsCurrentMembers(memberChanges) ? await this.#currentMembers(record.appId, baseMembers, context) : undefined;
    const delta = memberDelta(memberChanges, current);
    let appHash = record.appHash;
    if (changed.length) appHash = await this.#sendChanges(kind, record, base, next, changed, context);
    const added = await this.#applyMembers(record.appId, { add: delta.add, remove: [] }, context);
    await this.#applyMembers(record.appId, { add: [], remove: delta.remove }, context);
    const shadow: ScimResource = { ...next };
    if (kind === 'Group') {
      const removed = new Set(delta.remove);
      const displays: Record<string, string> = { ...memberDisplays(baseMembers) };
      for (const change of memberChanges) Object.assign(displays, change.displays);
      const kept = memberValues(baseMembers).filter((id) => !removed.has(id));
      const members = [...new Set([...kept, ...added])];
      if (members.length) shadow.members = memberEntries(members, displays);
    }
    const touched = changed.length > 0 || added.length > 0 || delta.remove.length > 0;
    try {
      const updated = await this.#idMap.update(this.app, kind, record.scimId, {
        shadow,
        key,
        externalId: typeof next.externalId === 'string' ? next.externalId : null,
        appHash,
        ...(touched ? { lastModified: this.#now().toISOString() } : {}),
      });
      return this.views.fromRecord(updated ?? record, shadow);
    } catch (error) {
      if (error instanceof KeyTakenError) throw new ConflictError(`A ${kind} with ${KEY_NAME[kind]} ${JSON.stringify(key)} already exists`);
      throw error;
    }
  }

  /** Sends attribute changes to the app; returns the new app hash (null when not known). */
  async #sendChanges(kind: ResourceKind, record: MappingRecord & { appId: string }, base: ScimResource, next: ScimResource, changed: string[], context: CallContext): Promise<string | null> {
    const toggles = kind === 'User' && changed.includes('active') && this.#connector.canSetActive(kind);
    const rest = toggles ? changed.filter((name) => name !== 'active') : changed;
    let object: AppObject | undefined;
    if (rest.length) {
      const old = await referencesToApp(this.#idMap, this.app, base);
      const scim = await referencesToApp(this.#idMap, this.app, next);
      if (toggles) old.active = scim.active;
      const result = await this.#connector.update(kind, record.appId, { scim, old, changed: rest }, context);
      if (result === 'notFound') {
        await this.#idMap.delete(this.app, kind, record.scimId);
        throw new NotFoundError(`${kind} ${JSON.stringify(record.scimId)} not found (the app no longer has it)`);
      }
      object = result;
    }
    if (toggles && !(await this.#connector.setActive(kind, record.appId, next.active !== false, context))) {
      await this.#idMap.delete(this.app, kind, record.scimId);
      throw new NotFoundError(`${kind} ${JSON.stringify(record.scimId)} not found (the app no longer has it)`);
    }
    return object && !toggles ? hashOf((await this.views.forms(kind, object)).client) : null;
  }

  async #currentMembers(groupAppId: string, baseMembers: unknown, context: CallContext): Promise<string[]> {
    const live = await this.views.members(groupAppId, context, baseMembers);
    return live ? live.map((member) => String(member.value)) : memberValues(baseMembers);
  }

  /** Adds or removes members (SCIM ids); returns the ids applied. Ids the gateway does not know are skipped. */
  async #applyMembers(groupAppId: string, delta: { add: string[]; remove: string[] }, context: CallContext): Promise<string[]> {
    const applied: string[] = [];
    for (const [action, ids] of [['add', delta.add], ['remove', delta.remove]] as const) {
      if (!ids.length) continue;
      if (!this.#connector.hasMembers()) throw new NotSupportedError('This app does not manage group members');
      for (const id of ids) {
        const member = await this.#idMap.get(this.app, 'User', id);
        if (!member?.appId) continue;
        await this.#connector.changeMember(action, groupAppId, member.appId, context);
        applied.push(id);
      }
    }
    return applied;
  }

  async delete(kind: ResourceKind, scimId: string, context: CallContext, options: { ifMatch?: string } = {}): Promise<void> {
    this.#supports(kind);
    await this.#lock(kind, `id:${scimId}`, async () => {
      const record = await this.#record(kind, scimId);
      if (options.ifMatch !== undefined) await this.#base(kind, record, context, options.ifMatch);
      await this.#connector.delete(kind, record.appId, context);
      await this.#idMap.delete(this.app, kind, scimId);
    });
  }
}

function mentionsMembers(filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return mentionsMembers(filter.left) || mentionsMembers(filter.right);
    case 'not':
      return mentionsMembers(filter.filter);
    default:
      return filter.path.attr.toLowerCase() === 'members';
  }
}

function withoutMembers(data: ScimResource): ScimResource {
  const { members, ...rest } = data;
  void members;
  return rest;
}

function memberEntries(ids: string[], displays: Record<string, string>): ScimResource[] {
  return ids.map((value) => (displays[value] ? { value, display: displays[value] } : { value }));
}

/** The weak ETag of a view: a hash of what the client sees. */
export function versionOf(view: ResourceView): string {
  return `W/"${hashOf({ id: view.id, data: view.data, lastModified: view.lastModified })}"`;
}

export function etagMatches(header: string, version: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(version));
}
