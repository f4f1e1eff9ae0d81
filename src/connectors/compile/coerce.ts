/**
 * JSONata's conversions, ported from jsonata.js (fn.boolean, fn.string, fn.number, utils.isNumeric) for
 * the values compiled code meets. Where JSONata would throw, or would serialise a structure with its own
 * number rounding, these bail out so that the interpreter answers.
 */
import { bail } from './bail.ts';
import { isFunctionLike } from './lookup.ts';
import { Wrapped } from './sequence.ts';

/** utils.isNumeric: a number that is not NaN; JSONata throws D1001 on an infinite one. */
export function isNumeric(value: unknown): value is number {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) bail();
  return true;
}

function hasKeys(value: object): boolean {
  for (const key in value) if (Object.hasOwn(value, key)) return true;
  return false;
}

/**
 * fn.boolean, the truthiness of `?`, `and`, `or` and predicates: an array by its items (one item: that
 * item's; several: whether any is true), an object by having keys, a string by length, 0 is false.
 * undefined stays undefined.
 */
export function toBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return toBoolean(value[0]);
    // Every item is converted, as JSONata's filter does: a later infinite number must still bail.
    let any = false;
    for (let i = 0; i < value.length; i++) if (toBoolean(value[i])) any = true;
    return any;
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (value !== null && typeof value === 'object' && !isFunctionLike(value)) return hasKeys(value);
  return value === true;
}

/** `and`/`or` read undefined as false. */
export function boolize(value: unknown): boolean {
  return toBoolean(value) ?? false;
}

/** fn.string of a number: integers as JSON writes them, others rounded to 15 significant digits. */
export function numberText(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
}

/** fn.string's JSON replacer: numbers rounded as above, functions written as "". */
function jsonataJson(_key: string, value: unknown): unknown {
  if (value !== undefined && value !== null && isNumeric(value))
    return Number.isInteger(value) ? value : Number(value.toPrecision(15));
  const isFunction =
    typeof value === 'function' || (typeof value === 'object' && value !== null && isFunctionLike(value));
  return value && isFunction ? '' : value;
}

/** fn.string: strings as they are, anything else as JSON with JSONata's number rounding. */
export function stringOf(value: unknown): string | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return value;
    case 'number':
      // D3001: JSONata has no text for an infinite number.
      return Number.isFinite(value) ? numberText(value) : bail();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return JSON.stringify(value instanceof Wrapped ? value[0] : value, jsonataJson);
    default:
      // A function is "" to JSONata; functions never reach compiled code.
      return bail();
  }
}

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/;
const RADIX = /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/;

/** fn.number: numbers as they are, numeric strings parsed, booleans as 1/0; anything else is D3030. */
export function numberOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (DECIMAL.test(value) && !Number.isNaN(parseFloat(value)) && Number.isFinite(Number(value)))
      return parseFloat(value);
    if (RADIX.test(value)) return Number(value);
    return bail();
  }
  if (value === true) return 1;
  if (value === false) return 0;
  return bail();
}

/** fn.type. */
export function typeOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (isNumeric(value)) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'function' || (typeof value === 'object' && isFunctionLike(value))) return 'function';
  return 'object';
}
