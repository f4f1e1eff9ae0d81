import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PAGE_SIZE,
  listResponse,
  MAX_PAGE_SIZE,
  MAX_START_INDEX,
  parsePage,
  type Page,
} from '../../../src/scim/messages/list-response.ts';

const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

const table: [string, unknown, unknown, Page][] = [
  ['defaults', undefined, undefined, { startIndex: 1, count: DEFAULT_PAGE_SIZE }],
  ['null', null, null, { startIndex: 1, count: DEFAULT_PAGE_SIZE }],
  ['empty strings', '', '', { startIndex: 1, count: DEFAULT_PAGE_SIZE }],
  ['query-string numbers', '11', '5', { startIndex: 11, count: 5 }],
  ['numbers', 3, 7, { startIndex: 3, count: 7 }],
  ['startIndex 0 is 1', '0', '10', { startIndex: 1, count: 10 }],
  ['startIndex -5 is 1', '-5', '10', { startIndex: 1, count: 10 }],
  ['startIndex "abc" is 1', 'abc', '10', { startIndex: 1, count: 10 }],
  ['count -1 is 0', '1', '-1', { startIndex: 1, count: 0 }],
  ['count 0 stays 0 (totalResults only)', '1', '0', { startIndex: 1, count: 0 }],
  ['count over the maximum is the maximum', '1', String(MAX_PAGE_SIZE + 1), { startIndex: 1, count: MAX_PAGE_SIZE }],
  ['count "abc" is the default', '1', 'abc', { startIndex: 1, count: DEFAULT_PAGE_SIZE }],
  ['startIndex past the maximum is the maximum', '100000000000000000', '5', { startIndex: MAX_START_INDEX, count: 5 }],
  ['startIndex in exponent form is that number, not 1', '1e17', '5', { startIndex: MAX_START_INDEX, count: 5 }],
  ['a fractional startIndex is truncated', '2.9', '5', { startIndex: 2, count: 5 }],
  ['Infinity is the default', 'Infinity', 'Infinity', { startIndex: 1, count: DEFAULT_PAGE_SIZE }],
];

describe('parsePage', () => {
  it.each(table)('%s', (_name, startIndex, count, expected) => {
    expect(parsePage(startIndex, count)).toStrictEqual(expected);
  });
  it('honours a smaller maximum, also for the default', () => {
    expect(parsePage(undefined, '500', 50)).toStrictEqual({ startIndex: 1, count: 50 });
    expect(parsePage(undefined, undefined, 50)).toStrictEqual({ startIndex: 1, count: 50 });
    expect(parsePage(undefined, undefined, 500, 20)).toStrictEqual({ startIndex: 1, count: 20 });
  });
});

describe('listResponse', () => {
  it('wraps a page of resources', () => {
    const resources = [{ id: 'a' }, { id: 'b' }];
    expect(listResponse(resources, 10, 3)).toStrictEqual({
      schemas: [LIST],
      totalResults: 10,
      Resources: resources,
      startIndex: 3,
      itemsPerPage: 2,
    });
  });
  it('an empty page still has Resources', () => {
    expect(listResponse([], 0, 1)).toStrictEqual({
      schemas: [LIST],
      totalResults: 0,
      Resources: [],
      startIndex: 1,
      itemsPerPage: 0,
    });
  });
});
