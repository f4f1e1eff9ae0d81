/**
 * Object constructors and group-by (`path{ key: value }`), following jsonata.js's
 * evaluateGroupExpression: every value of the context is keyed by each pair's key expression, values
 * sharing a key are gathered, and each key's value expression is evaluated against what was gathered.
 * A constructor with literal keys over one value, the usual `{ "a": x, "b": y }`, skips the grouping.
 */
import { bail } from './bail.ts';
import type { Store } from './own.ts';
import { append, Seq } from './sequence.ts';
import type { Env, Fn } from './types.ts';

export interface Pair {
  key: Fn;
  value: Fn;
  store: Store;
  /** The key, when it is a string literal. */
  literal: string | undefined;
}

/** Keys JSONata refuses (D1013), and the one a plain object cannot hold as data. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['_jsonata_lambda', '_jsonata_function', '__proto__']);

interface Entry {
  data: unknown;
  pair: number;
}

function itemsOf(input: unknown): ArrayLike<unknown> {
  if (!Array.isArray(input)) return [input];
  if (input.length > 0) return input as unknown[];
  // JSONata adds an undefined item so that `{...}` over nothing still builds its literal keys; on an
  // empty array from the input it would push that item into the caller's data.
  return input instanceof Seq ? [undefined] : bail();
}

function groups(pairs: readonly Pair[], items: ArrayLike<unknown>, env: Env): Record<string, Entry> {
  const found = Object.create(null) as Record<string, Entry>;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    for (let p = 0; p < pairs.length; p++) {
      const key = pairs[p]!.key(item, env);
      if (key === undefined) continue;
      // T1003 (a key that is not a string), D1013, and D1009 (two pairs giving one key) are JSONata's to raise.
      if (typeof key !== 'string' || RESERVED_KEYS.has(key)) bail();
      const entry = found[key];
      if (entry === undefined) found[key] = { data: item, pair: p };
      else if (entry.pair !== p) bail();
      else entry.data = append(entry.data, item);
    }
  }
  return found;
}

export function groupBy(pairs: readonly Pair[]): Fn {
  return (input, env) => {
    const found = groups(pairs, itemsOf(input), env);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(found)) {
      const entry = found[key]!;
      const pair = pairs[entry.pair]!;
      const value = pair.value(entry.data, env);
      if (value !== undefined) out[key] = pair.store(value);
    }
    return out;
  };
}

/**
 * `{ "a": x }` against one value. Assigning in the source's order gives JSONata's key order too: both
 * objects put integer-like keys first, the rest in insertion order.
 */
export function objectConstructor(pairs: readonly Pair[]): Fn {
  const grouped = groupBy(pairs);
  if (pairs.some((pair) => pair.literal === undefined)) return grouped;
  const keys = pairs.map((pair) => pair.literal!);
  return (input, env) => {
    if (Array.isArray(input)) return grouped(input, env);
    const out: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const value = pair.value(input, env);
      if (value !== undefined) out[keys[i]!] = pair.store(value);
    }
    return out;
  };
}
