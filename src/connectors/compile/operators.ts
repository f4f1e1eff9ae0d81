/**
 * JSONata's binary operators (evaluateEqualityExpression, evaluateComparisonExpression,
 * evaluateNumericExpression, evaluateStringConcat, evaluateIncludesExpression), for the operand kinds
 * compiled code handles exactly; the others bail out.
 */
import { bail } from './bail.ts';
import { isNumeric, stringOf } from './coerce.ts';

export type Operator = (left: unknown, right: unknown) => unknown;

/** `=`: false when either side is missing; structures compare deeply in JSONata, left to the interpreter. */
export function equals(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  if (left === right) return true;
  if (typeof left === 'object' && typeof right === 'object' && left !== null && right !== null) bail();
  return false;
}

function comparable(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number';
}

/** `<` and friends: strings with strings, numbers with numbers, undefined when a side is missing. */
function comparison(test: (left: string | number, right: string | number) => boolean): Operator {
  return (left, right) => {
    // T2010 (not comparable) and T2009 (different types) are JSONata's errors to raise.
    if (!comparable(left) || !comparable(right)) bail();
    if (left === undefined || right === undefined) return undefined;
    if (typeof left !== typeof right) bail();
    return test(left as string | number, right as string | number);
  };
}

/** `+` and friends: numbers only (T2001/T2002 otherwise), undefined when a side is missing. */
function arithmetic(compute: (left: number, right: number) => number): Operator {
  return (left, right) => {
    if (left !== undefined && !isNumeric(left)) bail();
    if (right !== undefined && !isNumeric(right)) bail();
    if (left === undefined || right === undefined) return undefined;
    const result = compute(left, right);
    // An infinite or NaN result makes JSONata fail later (D1001), if at all: the interpreter's call.
    return Number.isFinite(result) ? result : bail();
  };
}

/** `&`: both sides as strings (fn.string), a missing side as "". */
function concat(left: unknown, right: unknown): string {
  return (left === undefined ? '' : stringOf(left)!) + (right === undefined ? '' : stringOf(right)!);
}

/** `in`: strict equality with the right side or one of its items. An object on the left is matched by identity. */
function includes(left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) return false;
  // Compiled code copies objects it stores, so an identity JSONata would find may not be one here.
  if (typeof left === 'object' && left !== null) bail();
  if (!Array.isArray(right)) return right === left;
  for (let i = 0; i < right.length; i++) if (right[i] === left) return true;
  return false;
}

export const OPERATORS: Readonly<Record<string, Operator>> = {
  '=': equals,
  '!=': (left, right) => left !== undefined && right !== undefined && !equals(left, right),
  '<': comparison((left, right) => left < right),
  '<=': comparison((left, right) => left <= right),
  '>': comparison((left, right) => left > right),
  '>=': comparison((left, right) => left >= right),
  '+': arithmetic((left, right) => left + right),
  '-': arithmetic((left, right) => left - right),
  '*': arithmetic((left, right) => left * right),
  '/': arithmetic((left, right) => left / right),
  '%': arithmetic((left, right) => left % right),
  '&': concat,
  in: includes,
};
