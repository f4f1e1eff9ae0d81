/**
 * Reads a resource collection out of an OpenAPI document for `connector from-openapi`: which routes list,
 * create, read, update, delete, deactivate and reactivate it, how its lists page, where objects sit in the
 * answers (envelopes), which field is the id, which query parameters look like filters, and — for groups —
 * how members are added, removed and listed.
 */
import type { Json } from '../document.ts';
import type { Parameter } from '../operations.ts';
import { isArraySchema, isObject, itemsOf, listOf, propertiesOf } from '../schemas.ts';
import { successSchema } from '../response-reads.ts';

export interface Route {
  method: string;
  /** The document's path template. */
  path: string;
  operation: Json;
  parameters: Parameter[];
}

export type Paging =
  | { type: 'none' }
  | { type: 'page'; pageParam: string; sizeParam: string; firstPage: number; total?: string }
  | { type: 'offset'; offsetParam: string; limitParam: string; total?: string }
  | { type: 'cursor'; cursorParam: string; sizeParam?: string; cursor: string }
  | { type: 'link'; sizeParam?: string };

export interface Collection {
  path: string;
  /** The {name} of the item path's id segment. */
  idParam: string;
  list?: Route;
  create?: Route;
  get?: Route;
  update?: Route;
  delete?: Route;
  deactivate?: Route;
  reactivate?: Route;
  /** Where the object is in an item answer ("user" for { user: {…} }; "" for the object itself). */
  envelope: string;
  /** Where the request body wants the object ("user" for { "user": {…} }). */
  bodyEnvelope: string;
  /** The array in a list page ("users"; "" when the page is the array). */
  items: string;
  paging: Paging;
  idField: string;
  /** False when the item route's parameter matches no field of the object (the id field is a guess). */
  idFieldSure: boolean;
  /** The fields create and update requests take (inside bodyEnvelope); undefined when no request has a schema. */
  writable?: Set<string>;
  /** The object's schema (dereferenced). */
  schema: unknown;
  /** Query parameters of the list that look like lookups, by name. */
  listParameters: string[];
  statuses: Set<string>;
  members?: Members;
}

export interface Members {
  path: string;
  add?: Route;
  remove?: Route;
  addMany?: { route: Route; property: string };
  removeMany?: { route: Route; parameter: string };
  list?: Route;
  listItems: string;
  memberIdField: string;
  paging: Paging;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function routesOf(doc: Json): Route[] {
  const out: Route[] = [];
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    const shared = listOf(item.parameters);
    for (const method of METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const own = listOf(operation.parameters);
      const parameters = [...shared, ...own].filter(isObject).map((raw) => ({
        name: String(raw.name),
        in: String(raw.in),
        required: raw.required === true,
        schema: raw.schema,
        ...(raw.explode === false ? { explode: false } : {}),
      }));
      out.push({ method, path, operation, parameters });
    }
  }
  return out;
}

const find = (routes: Route[], method: string, path: string) =>
  routes.find((route) => route.method === method && route.path === path);

/** The single property that wraps the object ({ user: {…} } → "user"), or "". */
function envelopeOf(schema: unknown): string {
  const properties = propertiesOf(schema);
  if (!properties || properties.size !== 1) return '';
  const [name, inner] = [...properties][0]!;
  return propertiesOf(inner) ? name : '';
}

function requestSchema(route: Route | undefined): unknown {
  const body = route?.operation.requestBody;
  if (!isObject(body) || !isObject(body.content)) return undefined;
  const type = Object.keys(body.content).find((candidate) => /json/i.test(candidate));
  return type ? (body.content[type] as Json).schema : undefined;
}

/** The array of objects in a list answer: "" when the answer is the array, else its property name. */
function listItems(schema: unknown): { items: string; item: unknown; total?: string } {
  if (isArraySchema(schema)) return { items: '', item: itemsOf(schema) };
  const properties = propertiesOf(schema);
  if (!properties) return { items: '', item: undefined };
  const array = [...properties].find(([, child]) => isArraySchema(child) && propertiesOf(itemsOf(child)));
  const total = [...properties.keys()].find((name) => /^(total|total_?count|count|totalCount)$/i.test(name));
  return { items: array?.[0] ?? '', item: array ? itemsOf(array[1]) : undefined, ...(total ? { total } : {}) };
}

/** Where a list answer gives the next page's cursor: next_cursor, next_page.offset, meta.next_token… */
function nextCursorOf(schema: unknown, depth = 0): string | undefined {
  const properties = propertiesOf(schema);
  if (!properties || depth > 2) return undefined;
  for (const [name, child] of properties) {
    if (/^next_?(cursor|offset|token|page_?token)$|^(cursor|offset|next)$/i.test(name) && !propertiesOf(child))
      return name;
  }
  for (const [name, child] of properties) {
    if (!/next|page|meta|pagination|cursor/i.test(name)) continue;
    const inner = nextCursorOf(child, depth + 1);
    if (inner) return `${name}.${inner}`;
  }
  return undefined;
}

function pagingOf(route: Route | undefined, total?: string): Paging {
  if (!route) return { type: 'none' };
  const query = route.parameters.filter((parameter) => parameter.in === 'query');
  const pick = (...candidates: string[]) =>
    query.find((parameter) => candidates.includes(parameter.name.toLowerCase()));
  const size = pick('per_page', 'page_size', 'pagesize', 'limit', 'size', 'page[size]', 'count', 'take')?.name;
  const page = pick('page', 'page_number', 'pagenumber')?.name;
  const offset = pick('offset', 'start', 'startindex', 'skip');
  // An "offset" that is a string is a token handed back by the previous page (Asana), not a number.
  const cursor =
    pick('cursor', 'after', 'starting_after', 'page[after]', 'page_token', 'pagetoken', 'from', 'next') ??
    (offset && isObject(offset.schema) && offset.schema.type === 'string' ? offset : undefined);
  const responses = isObject(route.operation.responses) ? route.operation.responses : {};
  const ok = (responses['200'] ?? responses['2XX']) as Json | undefined;
  const linked = isObject(ok?.headers) && Object.keys(ok.headers).some((header) => header.toLowerCase() === 'link');
  if (page && size)
    return { type: 'page', pageParam: page, sizeParam: size, firstPage: 1, ...(total ? { total } : {}) };
  if (cursor)
    return {
      type: 'cursor',
      cursorParam: cursor.name,
      ...(size ? { sizeParam: size } : {}),
      cursor: nextCursorOf(successSchema(route.operation)) ?? 'next_cursor',
    };
  if (offset && size)
    return { type: 'offset', offsetParam: offset.name, limitParam: size, ...(total ? { total } : {}) };
  if (linked) return { type: 'link', ...(size ? { sizeParam: size } : {}) };
  return { type: 'none' };
}

/**
 * The field whose value the item route takes: named by the route's parameter where a field matches it
 * ({team_slug} -> slug, {user_gid} -> gid), else the usual id names. `sure` is false when the route's
 * parameter names a field the object does not have ({username} of an object with "login").
 */
function idFieldOf(schema: unknown, kind: string, idParam: string | undefined): { field: string; sure: boolean } {
  const names = [...(propertiesOf(schema)?.keys() ?? [])];
  if (idParam) {
    const tail = idParam
      .split(/_|(?=[A-Z])/)
      .pop()!
      .toLowerCase();
    const match = names.find((name) => name === idParam) ?? names.find((name) => name.toLowerCase() === tail);
    if (match) return { field: match, sure: true };
  }
  const field =
    names.find((name) => name === 'id') ??
    names.find((name) => ['gid', 'uuid', `${kind.toLowerCase()}_id`, 'key'].includes(name)) ??
    'id';
  return { field, sure: !idParam || /^(id|gid|uuid)$/i.test(idParam.split(/_|(?=[A-Z])/).pop()!) };
}

function statusesOf(routes: (Route | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const route of routes)
    for (const status of Object.keys(isObject(route?.operation.responses) ? route.operation.responses : {}))
      out.add(status);
  return out;
}

/**
 * A group's member routes below its item path: /members, /users or /memberships (GitHub adds with PUT
 * /memberships/{username} but lists with GET /members, so each route is looked for under every name).
 */
function membersOf(routes: Route[], item: string): Members | undefined {
  const candidates = ['members', 'users', 'memberships'].map((name) => `${item}/${name}`);
  const singleOf = (path: string) =>
    routes.find((route) => route.path.startsWith(`${path}/{`) && !route.path.slice(path.length + 1).includes('/'))
      ?.path;
  const singles = candidates.map(singleOf).filter((path) => path !== undefined);
  const single =
    singles.find((path) => (find(routes, 'put', path) ?? find(routes, 'post', path)) && find(routes, 'delete', path)) ??
    singles[0];
  const add = single ? (find(routes, 'put', single) ?? find(routes, 'post', single)) : undefined;
  const remove = single ? find(routes, 'delete', single) : undefined;
  const path =
    candidates.find((candidate) => find(routes, 'get', candidate) || find(routes, 'post', candidate)) ??
    (single ? single.slice(0, single.lastIndexOf('/')) : undefined);
  if (!path && !single) return undefined;
  const bulkAdd = path ? find(routes, 'post', path) : undefined;
  const bulkProperty = [...(propertiesOf(requestSchema(bulkAdd))?.entries() ?? [])].find(([, schema]) =>
    isArraySchema(schema),
  )?.[0];
  const bulkRemove = path ? find(routes, 'delete', path) : undefined;
  const removeParameter = bulkRemove?.parameters.find(
    (parameter) => parameter.in === 'query' && isArraySchema(parameter.schema),
  )?.name;
  const list = path ? find(routes, 'get', path) : undefined;
  const listed = listItems(list ? successSchema(list.operation) : undefined);
  const memberId =
    [...(propertiesOf(listed.item)?.keys() ?? [])].find((name) => /^(user_?id|member_?id|id)$/i.test(name)) ?? 'id';
  return {
    path: path ?? item,
    ...(add ? { add } : {}),
    ...(remove ? { remove } : {}),
    ...(bulkAdd && bulkProperty ? { addMany: { route: bulkAdd, property: bulkProperty } } : {}),
    ...(bulkRemove && removeParameter ? { removeMany: { route: bulkRemove, parameter: removeParameter } } : {}),
    ...(list ? { list } : {}),
    listItems: listed.items,
    memberIdField: memberId,
    paging: pagingOf(list, listed.total),
  };
}

/** The item route of a collection: below it (/users/{id}), or at the top when lists sit under a parent (/teams/{gid} for /workspaces/{w}/teams). */
function itemPathOf(routes: Route[], path: string): string | undefined {
  const single = (candidate: string, prefix: string) =>
    candidate.startsWith(`${prefix}/{`) && /^\{[^}/]+\}$/.test(candidate.slice(prefix.length + 1));
  const below = routes.map((route) => route.path).find((candidate) => single(candidate, path));
  if (below) return below;
  const last = path.split('/').pop();
  return last && !last.startsWith('{') && path.split('/').length > 2
    ? routes.map((route) => route.path).find((candidate) => single(candidate, `/${last}`))
    : undefined;
}

/** The collection's calls, found by path and method; verbs like /deactivate as POST or PUT under an item. */
function collectionRoutes(routes: Route[], path: string, itemPath: string | undefined) {
  const onItem = (method: string) => (itemPath ? find(routes, method, itemPath) : undefined);
  const verb = (names: string[]) =>
    itemPath
      ? routes.find(
          (route) =>
            (route.method === 'post' || route.method === 'put') &&
            names.some((name) => route.path === `${itemPath}/${name}`),
        )
      : undefined;
  return {
    list: find(routes, 'get', path),
    create:
      find(routes, 'post', path) ??
      (itemPath ? find(routes, 'post', itemPath.slice(0, itemPath.lastIndexOf('/'))) : undefined),
    get: onItem('get'),
    update: onItem('patch') ?? onItem('put'),
    remove: onItem('delete'),
    deactivate: verb(['deactivate', 'suspend', 'disable', 'block', 'lock']),
    reactivate: verb(['activate', 'reactivate', 'unsuspend', 'enable', 'unblock', 'unlock']),
  };
}

/** The fields the create and update bodies take; undefined when neither call documents a body. */
function writableFields(calls: (Route | undefined)[], bodyEnvelope: string | undefined): Set<string> | undefined {
  const requestObjects = calls
    .map(requestSchema)
    .filter((body) => body !== undefined)
    .map((body) => (bodyEnvelope ? propertiesOf(body)?.get(bodyEnvelope) : body));
  return requestObjects.length
    ? new Set(requestObjects.flatMap((body) => [...(propertiesOf(body)?.keys() ?? [])]))
    : undefined;
}

export function analyzeCollection(doc: Json, path: string, kind: 'User' | 'Group'): Collection {
  const routes = routesOf(doc);
  const itemPath = itemPathOf(routes, path);
  const { list, create, get, update, remove, deactivate, reactivate } = collectionRoutes(routes, path, itemPath);
  const itemAnswer = successSchema((get ?? create)?.operation ?? {});
  const envelope = envelopeOf(itemAnswer);
  const schema = envelope ? propertiesOf(itemAnswer)?.get(envelope) : itemAnswer;
  const listed = listItems(list ? successSchema(list.operation) : undefined);
  const members = kind === 'Group' && itemPath ? membersOf(routes, itemPath) : undefined;
  const idParam = itemPath ? itemPath.slice(itemPath.lastIndexOf('{') + 1, -1) : undefined;
  const id = idFieldOf(schema ?? listed.item, kind, idParam);
  const bodyEnvelope = envelopeOf(requestSchema(create ?? update));
  const writable = writableFields([create, update], bodyEnvelope);
  return {
    path,
    idParam: idParam ?? 'id',
    ...(list ? { list } : {}),
    ...(create ? { create } : {}),
    ...(get ? { get } : {}),
    ...(update ? { update } : {}),
    ...(remove ? { delete: remove } : {}),
    ...(deactivate ? { deactivate } : {}),
    ...(reactivate ? { reactivate } : {}),
    envelope,
    bodyEnvelope,
    ...(writable ? { writable } : {}),
    items: listed.items,
    paging: pagingOf(list, listed.total),
    idField: id.field,
    idFieldSure: id.sure,
    schema: schema ?? listed.item,
    listParameters: (list?.parameters ?? [])
      .filter((parameter) => parameter.in === 'query')
      .map((parameter) => parameter.name),
    statuses: statusesOf([list, create, get, update, remove]),
    ...(members ? { members } : {}),
  };
}
