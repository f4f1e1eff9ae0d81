import { describe, expect, it } from 'vitest';
import { buildValueTest, toBoolean, toNumber, toTime } from '../../../src/scim/filter/compare.ts';
import type { AttributeDef, AttributeType } from '../../../src/scim/schema/types.ts';

function def(type: AttributeType, caseExact = false): AttributeDef {
  return {
    name: 'x',
    type,
    multiValued: false,
    description: '',
    required: false,
    caseExact,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  };
}

type Op = Parameters<typeof buildValueTest>[0];

const cases: {
  type: AttributeType;
  caseExact?: boolean;
  op: Op;
  value: string | number | boolean;
  candidate: unknown;
  expected: boolean;
}[] = [
  { type: 'integer', op: 'eq', value: 5, candidate: 5, expected: true },
  { type: 'integer', op: 'eq', value: 5, candidate: '5', expected: true },
  { type: 'integer', op: 'eq', value: '5', candidate: 5, expected: true },
  { type: 'integer', op: 'gt', value: 5, candidate: 10, expected: true },
  { type: 'integer', op: 'gt', value: 5, candidate: 5, expected: false },
  { type: 'integer', op: 'ge', value: 5, candidate: 5, expected: true },
  { type: 'integer', op: 'lt', value: 10, candidate: 9, expected: true },
  { type: 'integer', op: 'le', value: 10, candidate: 11, expected: false },
  { type: 'integer', op: 'gt', value: 9, candidate: 10, expected: true }, // numeric, not "10" < "9"
  { type: 'decimal', op: 'lt', value: 1.5, candidate: 1.25, expected: true },
  { type: 'decimal', op: 'eq', value: 1.5, candidate: 'abc', expected: false },
  { type: 'integer', op: 'co', value: 23, candidate: 1234, expected: true },
  { type: 'boolean', op: 'eq', value: true, candidate: 'TRUE', expected: true },
  { type: 'boolean', op: 'eq', value: 'False', candidate: false, expected: true },
  { type: 'boolean', op: 'eq', value: 'yes', candidate: true, expected: false },
  { type: 'boolean', op: 'eq', value: true, candidate: 1, expected: false },
  { type: 'string', op: 'eq', value: 'ABC', candidate: 'abc', expected: true },
  { type: 'string', caseExact: true, op: 'eq', value: 'ABC', candidate: 'abc', expected: false },
  { type: 'string', op: 'eq', value: 701984, candidate: '701984', expected: true },
  { type: 'string', op: 'ge', value: 'b', candidate: 'B', expected: true },
  { type: 'string', caseExact: true, op: 'ge', value: 'b', candidate: 'B', expected: false },
  { type: 'string', op: 'eq', value: 'x', candidate: { value: 'x' }, expected: false },
  { type: 'reference', caseExact: true, op: 'sw', value: 'https://', candidate: 'https://x/Users/1', expected: true },
  {
    type: 'dateTime',
    op: 'gt',
    value: '2015-10-10T14:38:21.8617979-07:00',
    candidate: '2015-10-10T21:38:22Z',
    expected: true,
  },
  {
    type: 'dateTime',
    op: 'eq',
    value: '2015-10-10T14:38:21.8617979-07:00',
    candidate: '2015-10-10T21:38:21.861Z',
    expected: true,
  },
  { type: 'dateTime', op: 'lt', value: '2015-10-10', candidate: '2015-10-09T23:59:59Z', expected: true },
  {
    type: 'dateTime',
    op: 'gt',
    value: '2015-10-10T00:00:00Z',
    candidate: new Date('2016-01-01T00:00:00Z'),
    expected: true,
  },
  { type: 'dateTime', op: 'eq', value: 'not a date', candidate: 'NOT A DATE', expected: true },
];

describe('buildValueTest', () => {
  it.each(cases)(
    '$type $op $value vs $candidate → $expected',
    ({ type, caseExact, op, value, candidate, expected }) => {
      expect(buildValueTest(op, value, def(type, caseExact))(candidate)).toBe(expected);
    },
  );
});

describe('conversions', () => {
  it('toBoolean', () => {
    expect([true, false, 'True', ' false ', 'yes', 1, null].map(toBoolean)).toEqual([
      true,
      false,
      true,
      false,
      undefined,
      undefined,
      undefined,
    ]);
  });
  it('toNumber', () => {
    expect([1, '2.5', '', 'x', Number.NaN, Infinity].map(toNumber)).toEqual([
      1,
      2.5,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
  it('toTime accepts 7 fractional digits and rejects non-dates', () => {
    expect(toTime('2015-10-10T14:38:21.8617979-07:00')).toBe(Date.parse('2015-10-10T21:38:21.861Z'));
    expect(toTime('2015-10-10T14:38:21.8-07:00')).toBe(Date.parse('2015-10-10T21:38:21.800Z'));
    expect(toTime('2010-01-23T04:56:22Z')).toBe(Date.UTC(2010, 0, 23, 4, 56, 22));
    expect(toTime('O')).toBeUndefined();
    expect(toTime('foo 1')).toBeUndefined();
    expect(toTime(12)).toBeUndefined();
  });
});
