/**
 * How compiled code stores a value in an object or array it builds, and hands a result out: as plain
 * JSON the result owns. A value built by this evaluation (an object constructor's) is stored as it is; a
 * value read from the input or a binding is copied, so that a caller may change the result without
 * changing the input, as it could with JSONata's result after a JSON copy. Whatever a JSON copy would
 * change (an undefined field, a Date, -0 aside) is left to the interpreter.
 */
import { bail } from './bail.ts';
import { isFunctionLike } from './lookup.ts';
import { isCons, markCons, Seq } from './sequence.ts';

export type Store = (value: unknown) => unknown;

/** Past this depth a JSON copy of input data is the interpreter's (and JSON.stringify's) business. */
const MAX_DEPTH = 200;

/** -0 is 0 in JSON; NaN and infinities have no JSON form (null), and JSONata reports them later. */
function jsonNumber(value: number): number {
  if (!Number.isFinite(value)) bail();
  return value === 0 ? 0 : value;
}

function copyObject(value: object, depth: number): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || isFunctionLike(value)) bail();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    // JSON drops an undefined field but JSONata still sees the key ($keys), and "__proto__" would set a prototype.
    if (item === undefined || key === '__proto__') bail();
    out[key] = copy(item, depth + 1);
  }
  return out;
}

/** A JSON copy of data read from outside, with plain prototypes and arrays for sequences. */
function copy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return jsonNumber(value);
    case 'object':
      if (value === null) return null;
      if (depth > MAX_DEPTH) bail();
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) bail();
          out.push(copy(value[i], depth + 1));
        }
        return isCons(value) ? markCons(out) : out;
      }
      return copyObject(value, depth);
    default:
      return bail();
  }
}

/** Stores a value from an expression that may return data read from outside. */
export function storeCopy(value: unknown): unknown {
  return copy(value, 0);
}

/**
 * Stores a value from an expression that builds it (an object or array constructor, a string function):
 * only a sequence of such values needs turning into a plain array.
 */
export function storeBuilt(value: unknown): unknown {
  if (typeof value === 'number') return jsonNumber(value);
  // A sequence can hold undefined (a predicate kept a missing value), which JSON writes as null.
  if (value === undefined) bail();
  if (!(value instanceof Seq)) return value;
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) out.push(storeBuilt(value[i]));
  return out;
}

export function storeFor(built: boolean): Store {
  return built ? storeBuilt : storeCopy;
}

/** A result as evaluate() hands it out: a sequence becomes a plain array, the rest is JSONata's value. */
export function plainResult(value: unknown): unknown {
  if (!(value instanceof Seq)) return value;
  const out: unknown[] = [];
  for (let i = 0; i < value.length; i++) out.push(value[i]);
  return out;
}
