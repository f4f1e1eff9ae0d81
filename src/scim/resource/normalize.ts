/**
 * Turns what a SCIM client sent into the canonical form the gateway works with: attribute names in
 * schema case, extension data under the canonical URN, Entra's string booleans coerced, the manager
 * given as a bare string or a one-element array made `{ value }`, `$ref: null` and other nulls dropped,
 * read-only attributes (id, meta, groups) ignored.
 *
 * Attributes no schema declares (an Entra admin's custom attributes, under an extension URN nobody
 * declared or as plain names) are kept exactly as sent, so they read back as written: refusing them
 * would fail the user every cycle. Unknown sub-attributes of declared attributes are dropped.
 */
import { ScimRequestError } from '../../errors.ts';
import { isWholeSchemaUrn, resolvePath } from '../schema/canonical.ts';
import { findAttribute, keyIn, memoPerType, splitUrn, type ResolvedAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { URN } from '../schema/urns.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An empty value means "unassigned": null, "", [] and objects with no assigned sub-attribute. */
export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isEmpty);
  return false;
}

/** Entra's typo of the enterprise URN in old documentation ("…:2.0User"). */
const ENTERPRISE_TYPO = /^urn:ietf:params:scim:schemas:extension:enterprise:2\.0user$/i;

function coerceBoolean(attribute: AttributeDef, value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw new ScimRequestError(
    'invalidValue',
    `${where}: expected a boolean for "${attribute.name}", got ${JSON.stringify(value)}`,
  );
}

function coerceSimple(attribute: AttributeDef, value: unknown, where: string): unknown {
  switch (attribute.type) {
    case 'boolean':
      return coerceBoolean(attribute, value, where);
    case 'integer':
    case 'decimal': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (
        typeof number !== 'number' ||
        !Number.isFinite(number) ||
        (attribute.type === 'integer' && !Number.isInteger(number))
      ) {
        throw new ScimRequestError(
          'invalidValue',
          `${where}: expected ${attribute.type === 'integer' ? 'an integer' : 'a number'} for "${attribute.name}"`,
        );
      }
      return number;
    }
    default:
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      throw new ScimRequestError(
        'invalidValue',
        `${where}: expected a string for "${attribute.name}", got ${Array.isArray(value) ? 'an array' : typeof value}`,
      );
  }
}

/**
 * Entra's role forms (entra-profile.md §2.6) as one role object { value, display, type, primary }:
 * AppRoleAssignmentsComplex PATCHes send each role as a JSON string in "value"
 * ({"id":"…","value":"Admin","displayName":"Admin"}), and its POSTs say "displayName" for "display".
 * The app role id is dropped: roles are identified by their value.
 */
function roleElement(item: unknown): unknown {
  const source = typeof item === 'string' && item.trim().startsWith('{') ? { value: item } : item;
  if (!isObject(source)) return item;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(source)) out[key.toLowerCase() === 'displayname' ? 'display' : key] = value;
  const valueKey = Object.keys(out).find((key) => key.toLowerCase() === 'value');
  const raw = valueKey === undefined ? undefined : out[valueKey];
  if (typeof raw !== 'string' || !raw.trim().startsWith('{')) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out; // a value that merely starts with "{": kept as sent
  }
  if (!isObject(parsed)) return out;
  const inner = (name: string) => Object.entries(parsed).find(([key]) => key.toLowerCase() === name)?.[1];
  const value = inner('value');
  const display = inner('displayname') ?? inner('display');
  delete out[valueKey!];
  return {
    ...out,
    ...(value !== undefined && value !== null ? { value } : {}),
    ...(display !== undefined && display !== null && out.display === undefined ? { display } : {}),
  };
}

function isRoles(attribute: AttributeDef): boolean {
  return attribute.name === 'roles' && !attribute.adHoc;
}

/** Normalises a complex value's sub-attributes; a bare string stands for `{ value }` (manager, members). */
function normalizeComplex(attribute: AttributeDef, value: unknown, where: string): JsonObject | undefined {
  let source = value;
  // Only where a "value" sub-attribute exists: `"name": "Babs"` is a client error, not an empty name.
  if ((typeof source === 'string' || typeof source === 'number') && findAttribute(attribute.subAttributes, 'value')) {
    source = { value: String(source) };
  }
  if (!isObject(source)) {
    throw new ScimRequestError('invalidValue', `${where}: expected an object for "${attribute.name}"`);
  }
  const out: JsonObject = {};
  for (const key of Object.keys(source)) {
    const raw = source[key];
    const sub = findAttribute(attribute.subAttributes, key);
    if (!sub || raw === null || raw === undefined) continue;
    const coerced = coerceSimple(sub, raw, where);
    if (coerced === '') continue;
    out[sub.name] = coerced;
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * An undeclared attribute's value, as sent: a JSON copy (never sharing the request body) without
 * "__proto__" keys, which a later merge could turn into a prototype.
 */
function asSent(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const copy: unknown = JSON.parse(JSON.stringify(value), (key, inner: unknown) =>
    key === '__proto__' ? undefined : inner,
  );
  return isEmpty(copy) ? undefined : copy;
}

/**
 * Normalises one attribute's value. Returns undefined for "unassigned". `element` is set when the value
 * is a single element of a multi-valued attribute (as in a filtered PATCH path).
 */
export function normalizeValue(attribute: AttributeDef, value: unknown, where: string, element = false): unknown {
  if (value === null || value === undefined || value === '') return undefined;
  if (attribute.adHoc) return asSent(value);
  if (attribute.multiValued && !element) {
    // Entra sends the manager as [{ value, $ref }] in old docs; generally a lone value means a one-element list.
    const list = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    for (const item of list) {
      const normalized = normalizeValue(attribute, item, where, true);
      if (normalized !== undefined) out.push(normalized);
    }
    return out.length ? dedupePrimary(out) : undefined;
  }
  if (attribute.type === 'complex') {
    // A single-valued complex attribute sent as a one-element array: Entra's older manager form.
    let single: unknown = Array.isArray(value) && !attribute.multiValued ? (value as unknown[])[0] : value;
    if (isRoles(attribute)) single = roleElement(single);
    if (single === undefined || single === null) return undefined;
    return normalizeComplex(attribute, single, where);
  }
  if (Array.isArray(value)) {
    throw new ScimRequestError('invalidValue', `${where}: "${attribute.name}" is single-valued, got an array`);
  }
  return coerceSimple(attribute, value, where);
}

/**
 * RFC 7643 §2.4: "primary" true appears no more than once. The one kept is the last primary among
 * `preferred` (indexes a PATCH just wrote, so a newly marked primary wins over the old one wherever it
 * sits in the list), else the last one given. Returns a new array; the others get "primary": false.
 */
export function dedupePrimary(values: readonly unknown[], preferred?: ReadonlySet<number>): unknown[] {
  const primaries = values.flatMap((item, index) => (isObject(item) && item.primary === true ? [index] : []));
  if (primaries.length < 2) return [...values];
  const winner = primaries.filter((index) => preferred?.has(index)).at(-1) ?? primaries.at(-1);
  return values.map((item, index) =>
    index !== winner && isObject(item) && item.primary === true ? { ...item, primary: false } : item,
  );
}

function isWritable(attribute: AttributeDef): boolean {
  return attribute.mutability !== 'readOnly';
}

/**
 * Normalises a POST/PUT body (or a PATCH no-path value object) into a canonical resource holding only
 * known, writable, assigned attributes. Keys may be plain names, dotted ("name.givenName") or
 * URN-qualified ("urn:…:enterprise:2.0:User:employeeNumber"), in any case.
 */
export function normalizeResource(resourceType: ResourceTypeDef, body: unknown, where = 'body'): ScimResource {
  if (!isObject(body)) throw new ScimRequestError('invalidSyntax', `The ${where} must be a JSON object`);
  const out: ScimResource = {};
  // Object.keys, not entries: a pair array per attribute is garbage on every request.
  for (const key of Object.keys(body)) assignKey(resourceType, out, key, body[key], where);
  return out;
}

function assignKey(resourceType: ResourceTypeDef, out: ScimResource, key: string, value: unknown, where: string): void {
  if (key.toLowerCase() === 'schemas') return;
  const extensionKey = extensionSchemaId(resourceType, key);
  if (extensionKey) {
    if (value === null || value === undefined) return;
    if (!isObject(value)) throw new ScimRequestError('invalidValue', `${where}: "${key}" must be an object`);
    for (const subKey of Object.keys(value))
      assignKey(resourceType, out, `${extensionKey}:${subKey}`, value[subKey], where);
    return;
  }
  const resolved = resolvePath(resourceType, key);
  if (!resolved?.attribute || !isWritable(resolved.attribute)) return;
  const holder = resolved.extension ? ensureObject(out, keyIn(out, resolved.schema.id)) : out;
  const name = storedName(holder, resolved);
  if (resolved.sub) {
    if (!isWritable(resolved.sub)) return;
    assignSub(
      holder,
      name,
      resolved.attribute.multiValued,
      resolved.sub.name,
      normalizeValue(resolved.sub, value, where),
    );
  } else {
    const normalized = normalizeValue(resolved.attribute, value, where);
    if (normalized === undefined) delete holder[name];
    // "name.givenName" may come before "name": keep both, in whichever order the keys arrive.
    else if (isObject(normalized) && isObject(holder[name])) holder[name] = { ...holder[name], ...normalized };
    else holder[name] = normalized;
  }
  if (resolved.extension && Object.keys(holder).length === 0) delete out[keyIn(out, resolved.schema.id)];
}

/** Where a resolved attribute is stored in `holder`: its canonical name, or an undeclared one's first spelling. */
export function storedName(holder: JsonObject | undefined, resolved: ResolvedAttribute): string {
  const name = resolved.attribute!.name;
  return resolved.attribute!.adHoc ? keyIn(holder, name) : name;
}

/**
 * A dotted key ("name.givenName", "emails.type"). For a multi-valued attribute it applies to every
 * element, as the same path does in PATCH, and creates one element when there is none: the attribute
 * must stay a list.
 */
function assignSub(holder: JsonObject, name: string, multiValued: boolean, sub: string, value: unknown): void {
  const set = (element: unknown): JsonObject => {
    const copy: JsonObject = isObject(element) ? { ...element } : {};
    if (value === undefined) delete copy[sub];
    else copy[sub] = value;
    return copy;
  };
  const current = holder[name];
  let next: unknown;
  if (!multiValued) next = set(current);
  else if (Array.isArray(current) && current.length) next = current.map(set);
  else next = value === undefined ? [] : [set(undefined)];
  if (isEmpty(next)) delete holder[name];
  else holder[name] = Array.isArray(next) ? next.filter((element) => !isEmpty(element)) : next;
}

/**
 * The extension URN a key names as a whole ("urn:…:enterprise:2.0:User": {…}), if any. Asked for every
 * key of every body and mapping result: kept per resource type like the attribute paths.
 */
export const extensionSchemaId = memoPerType(extensionSchemaIdOf);

function extensionSchemaIdOf(resourceType: ResourceTypeDef, key: string): string | undefined {
  if (ENTERPRISE_TYPO.test(key)) return resourceType.extensions.find((schema) => schema.id === URN.enterpriseUser)?.id;
  const split = splitUrn(resourceType, key);
  if (split) return split.rest === '' && split.schema !== resourceType.schema ? split.schema.id : undefined;
  // An extension nobody declared, sent whole ("urn:…:CustomExtensionName:2.0:User": {…}).
  return isWholeSchemaUrn(resourceType, key) ? key : undefined;
}

function ensureObject(target: JsonObject, key: string): JsonObject {
  const existing = target[key];
  if (isObject(existing)) return existing;
  const created: JsonObject = {};
  target[key] = created;
  return created;
}

/** The attribute that must be present for the resource type: userName for Users, displayName for Groups. */
export function requireKeyAttribute(resourceType: ResourceTypeDef, resource: ScimResource): string {
  const name = resourceType.name === 'User' ? 'userName' : 'displayName';
  const value = resource[name];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ScimRequestError('invalidValue', `"${name}" is required and must be a non-empty string`);
  }
  return value;
}
