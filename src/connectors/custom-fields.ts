/**
 * Custom fields: an app maps SCIM attributes (typically Entra custom extension attributes an admin
 * declared) to fields the app lets its customers define — Zendesk's user_fields, Freshdesk's
 * custom_fields, Auth0's app_metadata, Redmine's custom_fields. The connector says where those live
 * (mappings.<kind>.customFields: read and write expressions); gateway.yaml says which attribute goes to
 * which field. These helpers move the values between the two shapes.
 */
import type { ScimResource } from '../scim/schema/types.ts';

export interface CustomFieldMapping {
  /** Canonical SCIM path: "urn:…:User:CustomAttribute", "urn:…:enterprise:2.0:User:costCenter", "name.middleName". */
  attribute: string;
  /** The app's custom field name (or id). */
  field: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Splits a canonical path into the extension URN (if any), the attribute and its sub-attribute. */
function parts(path: string): { urn?: string; name: string; sub?: string } {
  let local = path;
  let urn: string | undefined;
  if (/^urn:/i.test(path)) {
    const colon = path.lastIndexOf(':');
    urn = path.slice(0, colon);
    local = path.slice(colon + 1);
  }
  const [name = '', sub] = local.split('.');
  return { ...(urn ? { urn } : {}), name, ...(sub !== undefined ? { sub } : {}) };
}

function readPath(resource: ScimResource, path: string): unknown {
  const { urn, name, sub } = parts(path);
  const holder = urn ? resource[urn] : resource;
  if (!isObject(holder)) return undefined;
  const value = holder[name];
  return sub === undefined ? value : isObject(value) ? value[sub] : undefined;
}

function writePath(resource: ScimResource, path: string, value: unknown): void {
  const { urn, name, sub } = parts(path);
  let holder: Json = resource;
  if (urn) {
    if (!isObject(resource[urn])) resource[urn] = {};
    holder = resource[urn] as Json;
  }
  if (sub === undefined) {
    holder[name] = value;
    return;
  }
  if (!isObject(holder[name])) holder[name] = {};
  (holder[name] as Json)[sub] = value;
}

/** `$customFields` for the connector's write expression: every mapped field, null when the attribute is unset. */
export function customFieldValues(scim: ScimResource, mappings: readonly CustomFieldMapping[]): Json {
  const out: Json = {};
  for (const { attribute, field } of mappings) {
    const value = readPath(scim, attribute);
    out[field] = value === undefined || value === '' ? null : value;
  }
  return out;
}

/** The SCIM resource with the mapped custom fields of an app object (the read expression's result) laid in. */
export function withCustomFields(
  scim: ScimResource,
  fields: unknown,
  mappings: readonly CustomFieldMapping[],
): ScimResource {
  if (!isObject(fields)) return scim;
  for (const { attribute, field } of mappings) {
    const value = fields[field];
    if (value !== undefined && value !== null && value !== '') writePath(scim, attribute, value);
  }
  return scim;
}

/** toApp's result with the write expression's result merged in, objects key by key (app_metadata may hold both). */
export function mergePayload(base: unknown, extra: unknown): unknown {
  if (!isObject(base) || !isObject(extra)) return extra === undefined ? base : extra;
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(extra)) out[key] = key in out ? mergePayload(out[key], value) : value;
  return out;
}
