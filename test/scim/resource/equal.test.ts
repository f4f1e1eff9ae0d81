import { describe, expect, it } from 'vitest';
import { deepEqual } from '../../../src/scim/resource/equal.ts';

const table: [string, unknown, unknown, boolean][] = [
  ['same primitive', 'a', 'a', true],
  ['different primitives', 'a', 'A', false],
  ['number and string', 1, '1', false],
  ['null and undefined', null, undefined, false],
  ['null and null', null, null, true],
  ['null and an object', null, {}, false],
  ['key order ignored', { a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
  ['array order matters', [1, 2], [2, 1], false],
  ['array length', [1], [1, 1], false],
  ['array and object with the same keys', ['x'], { 0: 'x' }, false],
  ['an undefined key is the same as no key', { a: 1, b: undefined }, { a: 1 }, true],
  ['... both ways', { a: 1 }, { a: 1, b: undefined }, true],
  ['a null key is not a missing key', { a: 1, b: null }, { a: 1 }, false],
  ['extra key', { a: 1 }, { a: 1, b: 2 }, false],
  ['different key sets of the same size', { a: 1, b: undefined }, { a: 1, c: 2 }, false],
  ['nested difference', { a: [{ value: 'x', primary: true }] }, { a: [{ value: 'x', primary: false }] }, false],
];

describe('deepEqual', () => {
  it.each(table)('%s', (_name, a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
    expect(deepEqual(b, a)).toBe(expected);
  });
});
