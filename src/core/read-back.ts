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

/** JSON with sorted keys, so equal values hash equally whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Overlays `shadow` on `app`, one attribute at a time, extension objects attribute by attribute. */
function overlay(app: Json, shadow: Json, keep: (name: string) => boolean, prefix = ''): Json {
  const out: Json = { ...app };
  for (const [key, value] of Object.entries(shadow)) {
    if (key.startsWith('urn:') && isObject(value)) {
      const merged = overlay(isObject(app[key]) ? app[key] : {}, value, keep, `${key}:`);
      if (Object.keys(merged).length) out[key] = merged;
    } else if (keep(prefix + key)) {
      out[key] = value;
    }
  }
  return out;
}

export function readBack({ app, shadow, appHash, mapped }: ReadBackInput): ScimResource {
  if (!shadow) return app;
  const appUnchanged = appHash === null || appHash === hashOf(app);
  return overlay(app, shadow, appUnchanged ? () => true : (name) => !mapped.has(name));
}
