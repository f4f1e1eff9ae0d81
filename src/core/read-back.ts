/**
 * "What Entra wrote is what it reads back." Apps normalise values (phone formats, e-mail case) or cannot
 * hold some attributes at all; echoing the app's version would show Entra a difference every cycle and
 * make it PATCH forever. So the gateway keeps the last representation the client wrote (the shadow) and
 * a hash of the app's representation at that time:
 * - app unchanged since (hash equal, or not yet known): the shadow wins for every attribute it has;
 * - app changed by someone else: the app wins for the attributes the connector maps, and the shadow
 *   still supplies the attributes the app cannot hold. Entra then sees the real difference and fixes it.
 */
import { hash } from 'node:crypto';
import type { ScimResource } from '../scim/schema/types.ts';

/**
 * `keys` in UTF-16 code unit order (what sort() with no comparator gives), in place. Short lists are
 * insertion-sorted: Array.prototype.sort allocates working storage on every call, and these lists, one
 * per object hashed several times per request, were the largest single source of garbage per request.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let at = index - 1;
    while (at >= 0 && keys[at]! > key) {
      keys[at + 1] = keys[at]!;
      at--;
    }
    keys[at + 1] = key;
  }
  return keys;
}

/** Met by sortedCopy where JSON.stringify of the copy would not write what the loop below writes. */
const UNUSUAL = new Error('a value the sorted copy cannot carry');

/**
 * A copy with every object's keys in sorted order, for JSON.stringify: a third of the time of writing the
 * string key by key. Throws UNUSUAL for what the copy cannot carry faithfully: an undefined array element
 * (the loop leaves an empty slot), a function, symbol or bigint, a "__proto__" key, and keys that start
 * with a digit (an object lists array-index keys first, whatever order they were added in).
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
      throw UNUSUAL;
    return value;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) out[index] = sortedCopy(value[index]);
    return out;
  }
  const object = value as Record<string, unknown>;
  const keys = sortKeys(Object.keys(object));
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__') throw UNUSUAL;
    out[key] = sortedCopy(item);
  }
  return out;
}

/**
 * JSON with sorted keys, so equal values hash equally whatever their key order. Hashes of it are stored
 * (MappingRecord.appHash), so its output must never change; it runs several times per request, so the
 * usual value is copied with sorted keys and written by JSON.stringify, and only the unusual one is
 * written key by key.
 */
export function stableStringify(value: unknown): string {
  try {
    return JSON.stringify(sortedCopy(value));
  } catch (error) {
    if (error !== UNUSUAL) throw error;
    return stringifyByKeys(value);
  }
}

function stringifyByKeys(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      // An element JSON cannot write (undefined, a function) leaves an empty slot, as join() did.
      out += stringifyByKeys(value[index]) ?? '';
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  // Default sort order is UTF-16 code unit order, the same as comparing with < and >.
  const keys = sortKeys(Object.keys(object));
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${stringifyByKeys(item)}`;
  }
  return `${out}}`;
}

export function hashOf(value: unknown): string {
  return hash('sha256', stableStringify(value), 'base64url').slice(0, 22);
}

/** Names of mapped attributes: "name.givenName" → "name"; extension ones as "urn:…:User:employeeNumber". */
export function mappedTopLevel(attributes: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const attribute of attributes) {
    const urn = /^(urn:.+):([^:.[]+)(?:[.[].*)?$/i.exec(attribute);
    out.add(urn ? `${urn[1]}:${urn[2]}` : attribute.replace(/\[.*?\]/g, '').split('.')[0]!);
  }
  return out;
}

export interface ReadBackInput {
  app: ScimResource;
  shadow: ScimResource | null;
  appHash: string | null;
  mapped: ReadonlySet<string>;
  /** hashOf(app), when the caller has it already. */
  appHashNow?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overlays `shadow` on `app`, one attribute at a time, extension objects attribute by attribute. */
function overlay(app: Json, shadow: Json, keep: (name: string) => boolean, prefix = ''): Json {
  const out: Json = { ...app };
  for (const key of Object.keys(shadow)) {
    const value = shadow[key];
    if (key.startsWith('urn:') && isObject(value)) {
      const merged = overlay(isObject(app[key]) ? app[key] : {}, value, keep, `${key}:`);
      if (Object.keys(merged).length) out[key] = merged;
    } else if (keep(prefix + key)) {
      out[key] = value;
    }
  }
  return out;
}

export function readBack({ app, shadow, appHash, mapped, appHashNow }: ReadBackInput): ScimResource {
  if (!shadow) return app;
  const appUnchanged = appHash === null || appHash === (appHashNow ?? hashOf(app));
  return overlay(app, shadow, appUnchanged ? () => true : (name) => !mapped.has(name));
}
