/**
 * Case-insensitive resolution of SCIM attribute names ("name.FamilyName", "emails.Value",
 * "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value") to their definitions and
 * to where they live in a resource's JSON. Entra and Microsoft's test collection capitalise freely.
 */
import { commonAttributes } from './core-schemas.ts';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.ts';

export interface ResolvedAttribute {
  /** The schema the attribute belongs to (the core schema for common attributes). */
  schema: SchemaDef;
  /** True when the attribute lives under `resource[schema.id]`. */
  extension: boolean;
  /** The top-level attribute; absent when the path names a whole extension schema. */
  attribute?: AttributeDef;
  /** The sub-attribute, for "name.givenName" style paths. */
  sub?: AttributeDef;
}

/** Definitions by lower-cased name, per attribute list (the lists are built once per config and never change). */
const byLowerName = new WeakMap<readonly AttributeDef[], Map<string, AttributeDef>>();

function indexOf(list: readonly AttributeDef[]): Map<string, AttributeDef> {
  let index = byLowerName.get(list);
  if (!index) {
    index = new Map();
    for (const candidate of list) {
      const lower = candidate.name.toLowerCase();
      if (!index.has(lower)) index.set(lower, candidate);
    }
    byLowerName.set(list, index);
  }
  return index;
}

export function findAttribute(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!list) return undefined;
  const index = indexOf(list);
  return index.get(name) ?? index.get(name.toLowerCase());
}

/**
 * Every request body, filter and mapping result resolves the same few dozen names again. Results are
 * kept per resource type; names come from clients, so each type keeps at most MEMO_LIMIT of them.
 */
const MEMO_LIMIT = 2048;

export function memoPerType<T>(
  resolve: (resourceType: ResourceTypeDef, path: string) => T,
): (resourceType: ResourceTypeDef, path: string) => T {
  const memos = new WeakMap<ResourceTypeDef, Map<string, T>>();
  return (resourceType, path) => {
    let memo = memos.get(resourceType);
    if (!memo) {
      memo = new Map();
      memos.set(resourceType, memo);
    }
    if (memo.has(path)) return memo.get(path)!;
    const resolved = resolve(resourceType, path);
    if (memo.size < MEMO_LIMIT) memo.set(path, resolved);
    return resolved;
  };
}

/** Splits a leading schema URN off a path: "urn:…:User:manager.value" → [schema, "manager.value"]. */
export function splitUrn(resourceType: ResourceTypeDef, path: string): { schema: SchemaDef; rest: string } | undefined {
  if (!/^urn:/i.test(path)) return undefined;
  const lower = path.toLowerCase();
  for (const schema of [resourceType.schema, ...resourceType.extensions]) {
    const id = schema.id.toLowerCase();
    if (lower === id) return { schema, rest: '' };
    if (lower.startsWith(`${id}:`)) return { schema, rest: path.slice(id.length + 1) };
  }
  return undefined;
}

/**
 * Resolves "attr", "attr.sub", or a URN-prefixed form. Returns undefined for names the resource type
 * does not define; callers decide whether that is an error (filters, PATCH paths) or ignorable (bodies).
 */
export const resolveAttribute = memoPerType(resolveUncached);

function resolveUncached(resourceType: ResourceTypeDef, path: string): ResolvedAttribute | undefined {
  let schema = resourceType.schema;
  let rest = path;
  const urn = splitUrn(resourceType, path);
  if (urn) {
    schema = urn.schema;
    rest = urn.rest;
    if (rest === '') {
      return schema === resourceType.schema ? undefined : { schema, extension: true };
    }
  } else if (/^urn:/i.test(path)) {
    return undefined;
  }
  const extension = schema !== resourceType.schema;
  const dot = rest.indexOf('.');
  const attrName = dot === -1 ? rest : rest.slice(0, dot);
  const subName = dot === -1 ? undefined : rest.slice(dot + 1);
  let attribute =
    findAttribute(schema.attributes, attrName) ?? (extension ? undefined : findAttribute(commonAttributes, attrName));
  let inExtension = extension;
  if (!attribute && !urn) {
    // Entra's older forms name extension attributes without their URN ("manager"); accept a name only
    // one extension defines.
    const owners = resourceType.extensions.filter((candidate) => findAttribute(candidate.attributes, attrName));
    if (owners.length === 1) {
      schema = owners[0]!;
      attribute = findAttribute(schema.attributes, attrName);
      inExtension = true;
    }
  }
  if (!attribute) return undefined;
  if (subName === undefined) return { schema, extension: inExtension, attribute };
  const sub = findAttribute(attribute.subAttributes, subName);
  if (!sub) return undefined;
  return { schema, extension: inExtension, attribute, sub };
}

/**
 * The key `name` is stored under in `object`: `name` itself, or the same name in another case. Declared
 * attributes are always stored under their canonical names; this matters for undeclared ones, whose only
 * spelling is the client's.
 */
export function keyIn(object: Record<string, unknown> | undefined, name: string): string {
  if (!object || Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower) ?? name;
}

/** The object that holds a resolved attribute: the resource itself, or its extension object. */
export function container(
  resource: Record<string, unknown>,
  resolved: ResolvedAttribute,
): Record<string, unknown> | undefined {
  if (!resolved.extension) return resource;
  const holder = resource[keyIn(resource, resolved.schema.id)];
  return holder && typeof holder === 'object' && !Array.isArray(holder)
    ? (holder as Record<string, unknown>)
    : undefined;
}

/** Reads the attribute's value (the whole top-level value; sub-attributes are the caller's business). */
export function readAttribute(resource: Record<string, unknown>, resolved: ResolvedAttribute): unknown {
  if (!resolved.attribute) return resource[keyIn(resource, resolved.schema.id)];
  const holder = container(resource, resolved);
  return holder?.[resolved.attribute.adHoc ? keyIn(holder, resolved.attribute.name) : resolved.attribute.name];
}

/** Definition lookup by canonical name for every attribute a resource type knows, in schema order. */
export function allAttributes(resourceType: ResourceTypeDef): { schema: SchemaDef; attribute: AttributeDef }[] {
  const out: { schema: SchemaDef; attribute: AttributeDef }[] = [];
  for (const attribute of commonAttributes) out.push({ schema: resourceType.schema, attribute });
  for (const schema of [resourceType.schema, ...resourceType.extensions]) {
    for (const attribute of schema.attributes) out.push({ schema, attribute });
  }
  return out;
}
