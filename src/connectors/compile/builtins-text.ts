/**
 * JSONata's string functions, ported from jsonata.js for the argument types their signatures accept
 * without conversion. A value of another type (an array where a string is expected, null, a missing
 * required argument) is JSONata's to reject or reinterpret, so it bails out.
 */
import { bail } from './bail.ts';
import { stringOf } from './coerce.ts';
import { RegexArgument } from './regex.ts';

/** A `s` parameter: a string, or undefined (the function then answers undefined). */
function text(value: unknown): string | undefined {
  return value === undefined || typeof value === 'string' ? value : bail();
}

function required(value: unknown): string {
  return typeof value === 'string' ? value : bail();
}

export function string(value: unknown): string | undefined {
  return stringOf(value);
}

export function lowercase(value: unknown): string | undefined {
  return text(value)?.toLowerCase();
}

export function uppercase(value: unknown): string | undefined {
  return text(value)?.toUpperCase();
}

/** fn.trim: runs of blanks become one space, one leading and one trailing space go. */
export function trim(value: unknown): string | undefined {
  const input = text(value);
  if (input === undefined) return undefined;
  let out = input.replace(/[ \t\n\r]+/gm, ' ');
  if (out.charAt(0) === ' ') out = out.substring(1);
  if (out.charAt(out.length - 1) === ' ') out = out.substring(0, out.length - 1);
  return out;
}

/** fn.length counts code points, not UTF-16 units. */
export function length(value: unknown): number | undefined {
  const input = text(value);
  return input === undefined ? undefined : [...input].length;
}

/** fn.substring, by code points; a negative start counts from the end. */
export function substring(value: unknown, start: unknown, count: unknown): string | undefined {
  const input = text(value);
  if (typeof start !== 'number' || (count !== undefined && typeof count !== 'number')) bail();
  if (input === undefined) return undefined;
  const chars = [...input];
  const from = chars.length + start < 0 ? 0 : start;
  if (count === undefined) return chars.slice(from).join('');
  if (count <= 0) return '';
  const end = from >= 0 ? from + count : chars.length + from + count;
  return chars.slice(from, end).join('');
}

export function substringBefore(value: unknown, chars: unknown): string | undefined {
  const input = text(value);
  const boundary = required(chars);
  if (input === undefined) return undefined;
  const at = input.indexOf(boundary);
  return at > -1 ? input.substring(0, at) : input;
}

export function substringAfter(value: unknown, chars: unknown): string | undefined {
  const input = text(value);
  const boundary = required(chars);
  if (input === undefined) return undefined;
  const at = input.indexOf(boundary);
  return at > -1 ? input.substring(at + boundary.length) : input;
}

export function contains(value: unknown, token: unknown): boolean | undefined {
  const input = text(value);
  if (token !== undefined && typeof token !== 'string' && !(token instanceof RegexArgument)) bail();
  if (input === undefined || token === undefined) return undefined;
  return typeof token === 'string' ? input.includes(token) : token.test(input);
}

/** fn.replace without a limit; with a regex, a replacement holding "$" (a group reference) is the interpreter's. */
export function replace(value: unknown, pattern: unknown, replacement: unknown): string | undefined {
  const input = text(value);
  const by = required(replacement);
  if (typeof pattern !== 'string' && !(pattern instanceof RegexArgument)) bail();
  if (input === undefined) return undefined;
  if (pattern instanceof RegexArgument) return by.includes('$') ? bail() : pattern.replace(input, by);
  // D3010: an empty pattern.
  if (pattern === '') bail();
  let out = '';
  let position = 0;
  for (let at = input.indexOf(pattern); at !== -1; at = input.indexOf(pattern, position)) {
    out += input.substring(position, at) + by;
    position = at + pattern.length;
  }
  return out + input.substring(position);
}

/** fn.split by a string, without a limit: a plain array, which JSONata does not unwrap. */
export function split(value: unknown, separator: unknown): string[] | undefined {
  const input = text(value);
  const by = required(separator);
  return input === undefined ? undefined : input.split(by);
}

/** fn.join: a string stands for itself; an array must hold strings only (T0412). */
export function join(values: unknown, separator: unknown): string | undefined {
  if (separator !== undefined && typeof separator !== 'string') bail();
  if (values === undefined) return undefined;
  if (typeof values === 'string') return values;
  if (!Array.isArray(values)) return bail();
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') bail();
  return values.join(separator ?? '');
}
