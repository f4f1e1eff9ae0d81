/**
 * Queries: Entra's userName / externalId / displayName / id lookups from the IdMap's indexes, other filters
 * pushed down to the app's search or evaluated over a bounded scan, and unfiltered pages read as a window.
 * App objects seen for the first time are adopted (given SCIM ids) on the way.
 */
import { formatAttrPath, type Filter } from '../scim/filter/ast.ts';
import { isMembersPath } from '../scim/schema/canonical.ts';
import { groupResourceType } from '../scim/schema/core-schemas.ts';
import { compileFilter, validateFilter } from '../scim/filter/evaluate.ts';
import { parseFilter } from '../scim/filter/parse.ts';
import { sortResources, type SortOrder } from '../scim/resource/sort.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppObject, CallContext } from './app-connector.ts';
import { appObjects, KEY_NAME, supports, type CoreContext } from './context.ts';
import type { MappingRecord, ResourceKind } from './id-map.ts';
import { planQuery, type Plan } from './query-plan.ts';
import { objectOf, readAppObject, snapshotCandidates, snapshotFresh } from './snapshot-reads.ts';
import { appCreated, type ResourceView } from './views.ts';

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

export async function queryResources(
  core: CoreContext,
  kind: ResourceKind,
  input: QueryInput,
  context: CallContext,
): Promise<QueryResult> {
  supports(core, kind);
  const resourceType = core.resourceTypes[kind];
  const filter = input.filter !== undefined && input.filter.trim() !== '' ? parseFilter(input.filter) : undefined;
  if (filter) validateFilter(filter, resourceType);
  const matches = filter ? compileFilter(filter, resourceType) : () => true;
  // Entra's membership check filters on members even when it asks for attributes=id only.
  const filterMembers = kind === 'Group' && filter !== undefined && mentionsMembers(filter);
  const respond = (views: ResourceView[]): QueryResult => {
    let all = views.filter((view) =>
      matches({
        ...view.data,
        id: view.id,
        meta: { created: view.created, lastModified: view.lastModified, resourceType: kind },
      }),
    );
    if (filterMembers && !input.members) all = all.map((view) => ({ ...view, data: withoutMembers(view.data) }));
    if (input.sortBy)
      all = sortResources(
        resourceType,
        all.map((v) => ({ ...v.data, id: v.id, __view: v })),
        input.sortBy,
        input.sortOrder ?? 'ascending',
      ).map((r) => r.__view as ResourceView);
    return {
      totalResults: all.length,
      startIndex: input.startIndex,
      resources: all.slice(input.startIndex - 1, input.startIndex - 1 + input.count),
    };
  };
  const viewOptions = { members: input.members || filterMembers };
  const plan = planQuery(filter, resourceType);
  const fresh = await snapshotFresh(core, kind);
  const known = await knownViews(core, kind, plan, context, fresh, viewOptions);
  if (known) return respond(known);
  // A fresh snapshot holds everything the app had at its listing plus every write since: what it cannot
  // match, the app does not hold (a create that then meets a newer account adopts it).
  const fromSnapshot = fresh && filter ? await snapshotCandidates(core, kind, filter, plan) : undefined;
  if (fromSnapshot) {
    return respond(await viewsOf(core, kind, fromSnapshot, context, viewOptions));
  }
  if (!filter && !input.sortBy)
    return fresh ? snapshotWindow(core, kind, input, context) : window(core, kind, input, context);
  const views: ResourceView[] = [];
  const batch: AppObject[] = [];
  const flush = async () => {
    views.push(...(await viewsOf(core, kind, batch.splice(0), context, { members: false })));
  };
  for await (const object of appObjects(core, kind, filter, context)) {
    batch.push(object);
    if (batch.length >= 200) await flush();
  }
  await flush();
  if (filterMembers) views.splice(0, views.length, ...(await withMembers(core, views, context)));
  const result = respond(views);
  if (kind === 'Group' && input.members && !filterMembers)
    result.resources = await withMembers(core, result.resources, context);
  return result;
}

/**
 * Objects the gateway has mapped, for the id, userName / displayName and externalId plans: the answer is
 * final when found (an id is final even when not). Undefined: the app may hold it from before the gateway.
 */
async function knownViews(
  core: CoreContext,
  kind: ResourceKind,
  plan: Plan,
  context: CallContext,
  fresh: boolean,
  viewOptions: { members: boolean },
): Promise<ResourceView[] | undefined> {
  if (plan.kind === 'id') {
    const record = await core.idMap.get(core.app, kind, plan.id);
    if (!record?.appId || record.deprovisioned) return [];
    const object = await readAppObject(core, kind, record.appId, context, fresh);
    return object ? [await core.views.compose(kind, record, object, context, viewOptions)] : [];
  }
  if (plan.kind !== 'key' && plan.kind !== 'externalId') return undefined;
  const records =
    plan.kind === 'key'
      ? [await core.idMap.findByKey(core.app, kind, plan.value)].filter((r) => r !== undefined)
      : await core.idMap.findByExternalId(core.app, kind, plan.value);
  const views: ResourceView[] = [];
  for (const record of records) {
    // Deprovisioned: deleted as far as Entra knows; its app account is neither shown nor adopted again.
    if (!record.appId || record.deprovisioned) continue;
    const object = await readAppObject(core, kind, record.appId, context, fresh);
    if (object) views.push(await core.views.compose(kind, record, object, context, viewOptions));
    else await core.idMap.delete(core.app, kind, record.scimId);
  }
  return views.length ? views : undefined;
}

/** An unfiltered, unsorted page: read only the app pages that hold it when the app reports a total. */
async function window(
  core: CoreContext,
  kind: ResourceKind,
  input: QueryInput,
  context: CallContext,
): Promise<QueryResult> {
  const start = input.startIndex - 1;
  const maxScan = core.connector.connector.resources[kind]?.list.maxScan ?? 10_000;
  const picked: AppObject[] = [];
  let total: number | undefined;
  let seen = start;
  let more = false;
  for await (const page of core.connector.list(kind, context, { startOffset: start })) {
    total ??= page.total;
    for (const [index, object] of page.objects.entries()) {
      const position = page.offset + index;
      if (position >= start && picked.length < input.count) picked.push(object);
    }
    seen = page.offset + page.objects.length;
    more = page.more ?? true;
    // Without a total (cursor and link paging) the page is answered once it is full: counting the rest
    // would read up to maxScan objects for a count of 5.
    if (picked.length >= input.count) break;
    if (seen - start > maxScan) break;
  }
  const views = await viewsOf(core, kind, picked, context, { members: false });
  const resources = kind === 'Group' && input.members ? await withMembers(core, views, context) : views;
  // Without the app's total, totalResults counts what was seen, plus one when the app has more: a client
  // paging on with startIndex then asks for the next page.
  return {
    resources,
    totalResults: total ?? Math.max(seen, start + picked.length) + (more && picked.length >= input.count ? 1 : 0),
    startIndex: input.startIndex,
  };
}

/** An unfiltered page from a fresh snapshot (Entra's account discovery): exact totals, no app call. */
async function snapshotWindow(
  core: CoreContext,
  kind: ResourceKind,
  input: QueryInput,
  context: CallContext,
): Promise<QueryResult> {
  const store = core.snapshots!.store;
  const entries = await store.page(core.app, kind, input.startIndex - 1, input.count);
  const views = await viewsOf(core, kind, entries.map(objectOf), context, { members: false });
  return {
    resources: kind === 'Group' && input.members ? await withMembers(core, views, context) : views,
    totalResults: await store.count(core.app, kind),
    startIndex: input.startIndex,
  };
}

async function viewsOf(
  core: CoreContext,
  kind: ResourceKind,
  objects: AppObject[],
  context: CallContext,
  options: { members: boolean },
): Promise<ResourceView[]> {
  if (!objects.length) return [];
  const now = core.now().toISOString();
  const candidates = [];
  for (const object of objects) {
    const forms = await core.views.forms(kind, object);
    const key = forms.client[KEY_NAME[kind]];
    candidates.push({
      appId: object.appId,
      key: typeof key === 'string' && key !== '' ? key : null,
      externalId: typeof forms.client.externalId === 'string' ? forms.client.externalId : null,
      scimId: core.newId(),
      created: appCreated(object) ?? now,
    });
  }
  const records = core.lifecycle.adoptExisting
    ? await core.idMap.adopt(core.app, kind, candidates)
    : await mappedOnly(core, kind, objects);
  const views: ResourceView[] = [];
  for (const [index, object] of objects.entries()) {
    const record = records[index];
    if (record && !record.deprovisioned) views.push(await core.views.compose(kind, record, object, context, options));
  }
  return views;
}

/** adoptExisting: false: the records of objects already mapped, and nothing for the others. */
async function mappedOnly(
  core: CoreContext,
  kind: ResourceKind,
  objects: AppObject[],
): Promise<(MappingRecord | undefined)[]> {
  const mapped = await core.idMap.getByAppIds(
    core.app,
    kind,
    objects.map((object) => object.appId),
  );
  return objects.map((object) => mapped.get(object.appId));
}

async function withMembers(core: CoreContext, views: ResourceView[], context: CallContext): Promise<ResourceView[]> {
  const out: ResourceView[] = [];
  for (const view of views) {
    const record = await core.idMap.get(core.app, 'Group', view.id);
    const members = record?.appId ? await core.views.members(record.appId, context, record.shadow?.members) : undefined;
    out.push(members?.length ? { ...view, data: { ...view.data, members } } : view);
  }
  return out;
}

function mentionsMembers(filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return mentionsMembers(filter.left) || mentionsMembers(filter.right);
    case 'not':
      return mentionsMembers(filter.filter);
    default:
      return isMembersPath(groupResourceType, formatAttrPath(filter.path, false));
  }
}

function withoutMembers(data: ScimResource): ScimResource {
  const { members, ...rest } = data;
  void members;
  return rest;
}
