/**
 * Values entering compiled code from outside (the input document, bindings, fields read from them) and
 * JSONata's field lookup. Compiled code handles JSON-like data; anything JSONata treats specially is
 * refused at the door, so that no later step needs to ask: functions and objects JSONata takes for
 * functions, arrays carrying JSONata's own flags (a result of an earlier evaluation kept in $steps), and
 * non-finite numbers (JSONata throws D1001 on most uses).
 */
import { bail } from './bail.ts';
import { Seq } from './sequence.ts';

/** What JSONata's isFunction says of an object: its lambdas and native functions carry these marks. */
export function isFunctionLike(value: object): boolean {
  const marks = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marks._jsonata_function === true || marks._jsonata_lambda === true;
}

/** JSONata reads these properties of an array; one set by an earlier evaluation would change this one. */
function hasSequenceFlags(array: unknown[]): boolean {
  const flags = array as { sequence?: unknown; cons?: unknown; keepSingleton?: unknown; outerWrapper?: unknown };
  return (
    flags.sequence !== undefined ||
    flags.cons !== undefined ||
    flags.keepSingleton !== undefined ||
    flags.outerWrapper !== undefined ||
    (array as { tupleStream?: unknown }).tupleStream !== undefined
  );
}

function guardItems(array: unknown[]): void {
  if (hasSequenceFlags(array)) bail();
  for (let i = 0; i < array.length; i++) {
    const item = array[i];
    // A hole or an undefined item: JSONata's sequences skip some and keep others.
    if (item === undefined) bail();
    if (typeof item === 'object') {
      if (item === null) continue;
      if (Array.isArray(item)) guardItems(item);
      else if (isFunctionLike(item)) bail();
    } else if (typeof item === 'function' || (typeof item === 'number' && !Number.isFinite(item))) bail();
    else if (typeof item === 'bigint' || typeof item === 'symbol') bail();
  }
}

/** The value, if compiled code treats it exactly as JSONata would; else a bail-out. */
export function guard(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : bail();
    case 'object':
      if (value === null) return value;
      if (Array.isArray(value)) guardItems(value);
      else if (isFunctionLike(value)) bail();
      return value;
    default:
      return bail();
  }
}

/**
 * A field of one value that is not an array (the common case, without JSONata's sequence). JSONata finds
 * no field in a function; every object compiled code holds was guarded when read, or built by it.
 */
export function field(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
  return guard((value as Record<string, unknown>)[key]);
}

/** JSONata's fn.lookup: a field of an object, or of every item of an array, flattened into a sequence. */
export function lookup(value: unknown, key: string): unknown {
  if (!Array.isArray(value)) return field(value, key);
  const out = new Seq();
  for (let i = 0; i < value.length; i++) {
    const found = lookup(value[i], key);
    if (found === undefined) continue;
    if (Array.isArray(found)) for (let j = 0; j < found.length; j++) out.push(found[j]);
    else out.push(found);
  }
  return out;
}
