/**
 * JSONata's functions over values and structures ($exists, $count, $lookup, $merge…), ported from
 * jsonata.js with its signature checks: an argument JSONata would reject or convert bails out.
 */
import { bail } from './bail.ts';
import { numberOf, toBoolean, typeOf } from './coerce.ts';
import { isFunctionLike, lookup as lookupField } from './lookup.ts';
import { append as appendValues, Seq } from './sequence.ts';

export function number(value: unknown): number | undefined {
  // <(nsb)-:n>: null, arrays and objects are T0410.
  if (value !== undefined && typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean')
    bail();
  return numberOf(value);
}

export function boolean(value: unknown): boolean | undefined {
  return toBoolean(value);
}

export function not(value: unknown): boolean | undefined {
  return value === undefined ? undefined : !toBoolean(value);
}

export function exists(value: unknown): boolean {
  return value !== undefined;
}

/** <a:n>: a value that is not an array counts as an array of one. */
export function count(value: unknown): number {
  if (value === undefined) return 0;
  return Array.isArray(value) ? value.length : 1;
}

export function type(value: unknown): string | undefined {
  return typeOf(value);
}

function numeric(apply: (value: number) => number): (value: unknown) => number | undefined {
  return (value) => {
    if (value === undefined) return undefined;
    return typeof value === 'number' ? apply(value) : bail();
  };
}

export const floor = numeric(Math.floor);
export const ceil = numeric(Math.ceil);
export const abs = numeric(Math.abs);

export function lookup(value: unknown, key: unknown): unknown {
  return typeof key === 'string' ? lookupField(value, key) : bail();
}

/** fn.keys: an object's keys, or the union of an array's items' keys, as a sequence. */
export function keys(value: unknown): Seq {
  const out = new Seq();
  if (Array.isArray(value)) {
    const union: Record<string, true> = Object.create(null) as Record<string, true>;
    for (let i = 0; i < value.length; i++) for (const key of keys(value[i])) union[key as string] = true;
    for (const key of Object.keys(union)) out.push(key);
  } else if (value !== null && typeof value === 'object' && !isFunctionLike(value)) {
    for (const key of Object.keys(value)) out.push(key);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isFunctionLike(value);
}

/** fn.merge: <a<o>:o>, so every item must be an object (T0412); later keys win. */
export function merge(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const objects = Array.isArray(value) ? value : [value];
  for (let i = 0; i < objects.length; i++) if (!isPlainObject(objects[i])) bail();
  const out: Record<string, unknown> = {};
  for (let i = 0; i < objects.length; i++) {
    const object = objects[i] as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      // JSONata's result has no prototype; on a plain object this key would set one.
      if (key === '__proto__') bail();
      out[key] = object[key];
    }
  }
  return out;
}

export function append(first: unknown, second: unknown): unknown {
  return appendValues(first, second);
}
