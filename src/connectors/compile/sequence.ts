/**
 * JSONata's sequences inside compiled code. JSONata marks an array as a sequence with a property
 * (`sequence: true`) and unwraps a sequence of one value into the value; here a sequence is an instance of
 * Seq, so the mark travels with the value through variables and arguments, costs no property write, and
 * never reaches a caller: values stored in an object or array, or returned, become plain arrays (own.ts).
 */

export class Seq extends Array<unknown> {}

/**
 * An input document that is an array, wrapped as a one-value sequence as JSONata does, so that a path
 * over the input maps over the array and `$` still gives the array itself.
 */
export class Wrapped extends Seq {}

/**
 * The empty sequence, shared: nothing writes into a sequence it did not make. A filter or path that
 * finds nothing gives it rather than undefined, because JSONata counts an empty result as a result.
 */
export const EMPTY: Seq = Object.freeze(new Seq());

export function seqOf(value: unknown): Seq {
  const seq = new Seq();
  seq.push(value);
  return seq;
}

/** JSONata's last step of every evaluation: an empty sequence is nothing, a sequence of one is its value. */
export function normalize(value: unknown): unknown {
  if (value instanceof Seq && value.length < 2) return value.length === 0 ? undefined : value[0];
  return value;
}

/**
 * Arrays JSONata flags "cons" (made by an array constructor that starts a path) are kept whole when a path
 * step flattens its results. Such an array only leaves a path when it is empty (the path stops there), so
 * only empty ones are recorded; a WeakSet keeps the array itself plain.
 */
const consArrays = new WeakSet<unknown[]>();

export function markCons(array: unknown[]): unknown[] {
  if (array.length === 0) consArrays.add(array);
  return array;
}

export function isCons(value: unknown[]): boolean {
  return value.length === 0 && consArrays.has(value);
}

/** JSONata's fn.append: either side alone when the other is nothing, else one plain array of both. */
export function append(first: unknown, second: unknown): unknown {
  if (first === undefined) return second;
  if (second === undefined) return first;
  const out: unknown[] = [];
  if (Array.isArray(first)) for (let i = 0; i < first.length; i++) out.push(first[i]);
  else out.push(first);
  if (Array.isArray(second)) for (let i = 0; i < second.length; i++) out.push(second[i]);
  else out.push(second);
  return out;
}
