/**
 * RFC 7644 §3.4.2.5 / §3.9: `attributes` and `excludedAttributes` on every response that carries a
 * resource. `id` and `schemas` are always returned; `returned: "never"` attributes never are.
 * Microsoft's collection passes value filters inside `attributes` (`emails[type eq "work"]`); the filter
 * part is ignored and the whole attribute returned, which is what its assertions expect.
 */
import { resolvePath } from '../schema/canonical.ts';
import { keyIn, type ResolvedAttribute } from '../schema/resolve.ts';
import type { ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { isEmpty, isObject, type JsonObject } from './normalize.ts';

export interface Projection {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** Splits a comma-separated query parameter value; empty entries are dropped. */
export function parseAttributeList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : JSON.stringify(value);
  const list = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

function resolveList(resourceType: ResourceTypeDef, list: string[] | undefined): ResolvedAttribute[] {
  if (!list) return [];
  const out: ResolvedAttribute[] = [];
  for (const raw of list) {
    const withoutFilter = raw.replace(/\[.*?\]/g, '');
    const resolved = resolvePath(resourceType, withoutFilter);
    if (resolved) out.push(resolved);
  }
  return out;
}

const ALWAYS = new Set(['id', 'schemas']);

export function projectResource(
  resourceType: ResourceTypeDef,
  resource: ScimResource,
  projection: Projection,
): ScimResource {
  let out: ScimResource;
  // Decided on what was asked, not on what resolved: "attributes=typo" must not return everything.
  if (projection.attributes?.length) {
    const requested = resolveList(resourceType, projection.attributes);
    out = {};
    for (const key of ALWAYS) if (resource[key] !== undefined) out[key] = resource[key];
    for (const resolved of requested) copyAttribute(resource, out, resolved);
  } else {
    out = { ...resource };
    for (const resolved of resolveList(resourceType, projection.excludedAttributes)) removeAttribute(out, resolved);
  }
  stripNever(resourceType, out);
  return out;
}

function copyAttribute(from: ScimResource, to: ScimResource, resolved: ResolvedAttribute): void {
  const id = keyIn(from, resolved.schema.id);
  if (!resolved.attribute) {
    // A copy: a later "urn:…:manager.value" in the same list writes into to[id].
    if (isObject(from[id])) to[id] = { ...from[id] };
    return;
  }
  const source = resolved.extension ? from[id] : from;
  if (!isObject(source)) return;
  const name = resolved.attribute.adHoc ? keyIn(source, resolved.attribute.name) : resolved.attribute.name;
  const value = source[name];
  if (value === undefined) return;
  const target = resolved.extension ? ((to[id] as JsonObject | undefined) ?? (to[id] = {})) : to;
  if (!resolved.sub) {
    target[name] = value;
    return;
  }
  const sub = resolved.sub.name;
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[name]) ? (target[name] as JsonObject[]) : value.map(() => ({}));
    target[name] = value.map((element, index) =>
      isObject(element) && element[sub] !== undefined ? { ...existing[index], [sub]: element[sub] } : existing[index],
    );
  } else if (isObject(value) && value[sub] !== undefined) {
    target[name] = { ...(isObject(target[name]) ? target[name] : {}), [sub]: value[sub] };
  }
}

function removeAttribute(resource: ScimResource, resolved: ResolvedAttribute): void {
  const id = keyIn(resource, resolved.schema.id);
  if (!resolved.attribute) {
    if (resolved.extension) delete resource[id];
    return;
  }
  if (ALWAYS.has(resolved.attribute.name) || resolved.attribute.returned === 'always') return;
  const holder = resolved.extension ? resource[id] : resource;
  if (!isObject(holder)) return;
  const name = resolved.attribute.adHoc ? keyIn(holder, resolved.attribute.name) : resolved.attribute.name;
  // Copies, never edits: `resource` is a shallow copy whose nested values belong to the caller.
  const copy = resolved.extension ? { ...holder } : holder;
  const sub = resolved.sub?.name;
  if (sub === undefined) delete copy[name];
  else if (Array.isArray(copy[name]))
    copy[name] = (copy[name] as unknown[]).map((e) => (isObject(e) ? omit(e, sub) : e)).filter((e) => !isEmpty(e));
  else if (isObject(copy[name])) copy[name] = omit(copy[name], sub);
  // An attribute or extension left with nothing in it is unassigned, so it is not returned at all.
  if (isEmpty(copy[name])) delete copy[name];
  if (!resolved.extension) return;
  if (Object.keys(copy).length) resource[id] = copy;
  else delete resource[id];
}

function omit(object: JsonObject, key: string): JsonObject {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

function stripNever(resourceType: ResourceTypeDef, resource: ScimResource): void {
  for (const attribute of resourceType.schema.attributes) {
    if (attribute.returned === 'never') delete resource[attribute.name];
  }
}
