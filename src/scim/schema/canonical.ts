/**
 * One resolution of every attribute name a client sends — PATCH paths, no-path keys, body keys, filter
 * and projection paths — to its canonical attribute: "members", "URN:…:core:2.0:Group:members" and
 * "Members" are the same attribute and take the same route everywhere.
 *
 * Attributes no schema declares are not refused: Entra sends whatever an admin added to its attribute
 * list (`urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:CustomAttribute`, without
 * listing that URN in `schemas`), and a 400 there fails the user every cycle until the job is
 * quarantined. Such names resolve to ad hoc definitions (`adHoc: true`): simple, single-valued,
 * kept exactly as sent. Only names that cannot be attribute names, and unknown sub-attributes of
 * declared attributes (the schema says what those have), stay unresolved.
 */
import { commonAttributes } from './core-schemas.ts';
import { findAttribute, memoPerType, resolveAttribute, splitUrn, type ResolvedAttribute } from './resolve.ts';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.ts';

/** RFC 7643 §2.1 ATTRNAME (plus "$ref"). */
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
const URN_TEXT = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s[\]"]+$/i;
const VERSION = /^\d+(?:\.\d+)*$/;

/** The canonical name of a resolved attribute: "members", "name.givenName", "urn:…:User:employeeNumber". */
export function canonicalName(resolved: ResolvedAttribute): string {
  const local = resolved.attribute ? resolved.attribute.name + (resolved.sub ? `.${resolved.sub.name}` : '') : '';
  if (!resolved.extension) return local;
  return local ? `${resolved.schema.id}:${local}` : resolved.schema.id;
}

/** The canonical top-level name: "name.givenName" → "name", extension attributes with their URN. */
export function topLevelName(resolved: ResolvedAttribute): string {
  return canonicalName({ ...resolved, sub: undefined });
}

/**
 * True when `text` names a whole extension schema rather than one of its attributes: named for the
 * resource type ("urn:…:User") or ending in a version and a name ("urn:…:2.0:Account").
 */
export function isWholeSchemaUrn(resourceType: ResourceTypeDef, text: string): boolean {
  if (!URN_TEXT.test(text)) return false;
  const segments = text.split(':');
  const last = segments.at(-1) ?? '';
  const before = segments.at(-2) ?? '';
  return last.toLowerCase() === resourceType.name.toLowerCase() || (VERSION.test(before) && ATTR_NAME.test(last));
}

/** The stand-in for an extension URN nobody declared; its attributes are all ad hoc. */
export function undeclaredSchema(id: string): SchemaDef {
  const segments = id.split(':');
  const name = segments.find((segment, index) => VERSION.test(segments[index + 1] ?? '')) ?? segments.at(-1) ?? id;
  return { id, name, description: '', attributes: [], adHoc: true };
}

function adHocAttribute(name: string, sub?: string): AttributeDef {
  const base: AttributeDef = {
    name,
    type: 'string',
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    adHoc: true,
  };
  return sub === undefined ? base : { ...base, type: 'complex', subAttributes: [{ ...base, name: sub }] };
}

function splitUndeclared(resourceType: ResourceTypeDef, path: string): { schema: SchemaDef; rest: string } | undefined {
  if (isWholeSchemaUrn(resourceType, path)) return { schema: undeclaredSchema(path), rest: '' };
  const colon = path.lastIndexOf(':');
  const urn = path.slice(0, colon);
  if (!URN_TEXT.test(urn)) return undefined;
  return { schema: undeclaredSchema(urn), rest: path.slice(colon + 1) };
}

/**
 * Resolves a path as resolveAttribute does, and an undeclared name to an ad hoc definition. Returns
 * undefined only for malformed names and unknown sub-attributes of declared attributes.
 */
export const resolvePath = memoPerType(resolvePathUncached);

function resolvePathUncached(resourceType: ResourceTypeDef, path: string): ResolvedAttribute | undefined {
  const declared = resolveAttribute(resourceType, path);
  if (declared) return declared;
  let schema = resourceType.schema;
  let rest = path;
  if (/^urn:/i.test(path)) {
    const split = splitUrn(resourceType, path) ?? splitUndeclared(resourceType, path);
    if (!split) return undefined;
    ({ schema, rest } = split);
    if (rest === '') return schema === resourceType.schema ? undefined : { schema, extension: true };
  }
  const parts = rest.split('.');
  const [name, sub] = parts;
  if (parts.length > 2 || !name || !ATTR_NAME.test(name) || (sub !== undefined && !ATTR_NAME.test(sub)))
    return undefined;
  // "schemas" is the message's own list of URNs, never an attribute.
  if (name.toLowerCase() === 'schemas') return undefined;
  const extension = schema !== resourceType.schema;
  if (findAttribute(schema.attributes, name) || (!extension && findAttribute(commonAttributes, name))) return undefined;
  const attribute = adHocAttribute(name, sub);
  return { schema, extension, attribute, ...(sub !== undefined ? { sub: attribute.subAttributes![0]! } : {}) };
}

/** True when the path names the Group's `members` attribute (or one of its sub-attributes), in any form. */
export function isMembersPath(resourceType: ResourceTypeDef, path: string): boolean {
  if (resourceType.name !== 'Group') return false;
  const resolved = resolvePath(resourceType, path.replace(/\[.*$/s, ''));
  return resolved?.attribute?.name === 'members' && !resolved.extension;
}
