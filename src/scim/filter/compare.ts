/**
 * Value comparison for filter evaluation (RFC 7644 §3.4.2.2, RFC 7643 §2.3): each comparison is typed by
 * the attribute definition it targets. Resource values of an unexpected shape never match; nothing here
 * throws.
 */
import type { AttributeDef } from '../schema/types.ts';
import type { CompareOp } from './ast.ts';

/** One comparison against one candidate value (an element's value for multi-valued attributes). */
export type ValueTest = (candidate: unknown) => boolean;

type Ordering = 'gt' | 'ge' | 'lt' | 'le';

/** Booleans, and the strings "true"/"false" in any case (Entra sends string booleans). */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/**
 * Milliseconds since the epoch. Fractional seconds are cut to 3 digits first: Entra and .NET send 7
 * ("2015-10-10T14:38:21.8617979-07:00"), which Date.parse does not promise to accept.
 */
export function toTime(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value !== 'string') return undefined;
  const normalised = value
    .trim()
    .replace(
      /(T\d{2}:\d{2}:\d{2})[.,](\d+)/i,
      (_match, hms: string, fraction: string) => `${hms}.${`${fraction}00`.slice(0, 3)}`,
    );
  if (!/^\d{4}-\d{2}-\d{2}/.test(normalised)) return undefined;
  const ms = Date.parse(normalised);
  return Number.isNaN(ms) ? undefined : ms;
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function ordered(op: Ordering, diff: number): boolean {
  switch (op) {
    case 'gt':
      return diff > 0;
    case 'ge':
      return diff >= 0;
    case 'lt':
      return diff < 0;
    case 'le':
      return diff <= 0;
  }
}

function isOrdering(op: CompareOp): op is Ordering {
  return op === 'gt' || op === 'ge' || op === 'lt' || op === 'le';
}

/** String comparison honouring caseExact; co/sw/ew on any type compare the textual forms. */
function textTest(op: Exclude<CompareOp, 'ne'>, value: string | number | boolean, caseExact: boolean): ValueTest {
  const fold = (text: string): string => (caseExact ? text : text.toLowerCase());
  const want = fold(String(value));
  return (candidate) => {
    const raw = toText(candidate);
    if (raw === undefined) return false;
    const have = fold(raw);
    switch (op) {
      case 'eq':
        return have === want;
      case 'co':
        return have.includes(want);
      case 'sw':
        return have.startsWith(want);
      case 'ew':
        return have.endsWith(want);
      default:
        return ordered(op, have < want ? -1 : have > want ? 1 : 0);
    }
  };
}

/** Comparison typed by `convert` (numbers, times, booleans); falls back to text for co/sw/ew. */
function typedTest<T extends number | boolean>(
  op: Exclude<CompareOp, 'ne'>,
  value: string | number | boolean,
  convert: (v: unknown) => T | undefined,
  fallback: ValueTest,
): ValueTest {
  if (op === 'co' || op === 'sw' || op === 'ew') return fallback;
  const want = convert(value);
  if (want === undefined) return fallback;
  return (candidate) => {
    const have = convert(candidate);
    if (have === undefined) return fallback(candidate);
    if (op === 'eq') return have === want;
    return isOrdering(op) && ordered(op, Number(have) - Number(want));
  };
}

/**
 * The test for one non-null comparison against `leaf` (the attribute or sub-attribute compared).
 * `ne` is the caller's business (not eq, so that absent attributes count as "not equal").
 */
export function buildValueTest(
  op: Exclude<CompareOp, 'ne'>,
  value: string | number | boolean,
  leaf: AttributeDef,
): ValueTest {
  const text = textTest(op, value, leaf.caseExact);
  switch (leaf.type) {
    case 'boolean': {
      if (isOrdering(op)) return () => false;
      return typedTest(op, value, toBoolean, op === 'eq' ? () => false : text);
    }
    case 'integer':
    case 'decimal':
      return typedTest(op, value, toNumber, text);
    case 'dateTime':
      return typedTest(op, value, toTime, textTest(op, value, false));
    default:
      return text;
  }
}
