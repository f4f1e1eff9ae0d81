/**
 * The JSONata functions compiled code calls directly, with the argument counts it accepts. Fewer
 * arguments than a signature's required ones would make JSONata use the context value instead, and the
 * optional ones left out here (a limit, pretty-printing) are rare: both stay with the interpreter.
 */
import * as data from './builtins-data.ts';
import * as text from './builtins-text.ts';

export type Call = (first: unknown, second: unknown, third: unknown) => unknown;

export interface Builtin {
  min: number;
  max: number;
  call: Call;
  /** Argument positions that may be a regex literal. */
  regex?: readonly number[];
  /** Arguments whose objects the result may hold (it is a new value otherwise). */
  shares?: readonly number[];
}

const one = (call: (value: unknown) => unknown): Builtin => ({ min: 1, max: 1, call });
const two = (call: (first: unknown, second: unknown) => unknown): Builtin => ({ min: 2, max: 2, call });

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  string: one(text.string),
  lowercase: one(text.lowercase),
  uppercase: one(text.uppercase),
  trim: one(text.trim),
  length: one(text.length),
  substring: { min: 2, max: 3, call: text.substring },
  substringBefore: two(text.substringBefore),
  substringAfter: two(text.substringAfter),
  contains: { ...two(text.contains), regex: [1] },
  replace: { min: 3, max: 3, call: text.replace, regex: [1] },
  split: two(text.split),
  join: { min: 1, max: 2, call: text.join },
  number: one(data.number),
  boolean: one(data.boolean),
  not: one(data.not),
  exists: one(data.exists),
  count: one(data.count),
  type: one(data.type),
  floor: one(data.floor),
  ceil: one(data.ceil),
  abs: one(data.abs),
  lookup: { ...two(data.lookup), shares: [0] },
  keys: one(data.keys),
  merge: { ...one(data.merge), shares: [0] },
  append: { ...two(data.append), shares: [0, 1] },
};

/**
 * Every name JSONata binds to a function before the caller's bindings: a `$name` that is none of the
 * caller's bindings is then a function value, which compiled code does not handle.
 */
export const JSONATA_FUNCTIONS: ReadonlySet<string> = new Set([
  'sum',
  'count',
  'max',
  'min',
  'average',
  'string',
  'substring',
  'substringBefore',
  'substringAfter',
  'lowercase',
  'uppercase',
  'length',
  'trim',
  'pad',
  'match',
  'contains',
  'replace',
  'split',
  'join',
  'formatNumber',
  'formatBase',
  'formatInteger',
  'parseInteger',
  'number',
  'floor',
  'ceil',
  'round',
  'abs',
  'sqrt',
  'power',
  'random',
  'boolean',
  'not',
  'map',
  'zip',
  'filter',
  'single',
  'reduce',
  'sift',
  'keys',
  'lookup',
  'append',
  'exists',
  'spread',
  'merge',
  'reverse',
  'each',
  'error',
  'assert',
  'type',
  'sort',
  'shuffle',
  'distinct',
  'base64encode',
  'base64decode',
  'encodeUrlComponent',
  'encodeUrl',
  'decodeUrlComponent',
  'decodeUrl',
  'eval',
  'toMillis',
  'fromMillis',
  'clone',
  'now',
  'millis',
]);
