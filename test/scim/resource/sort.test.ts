import { describe, expect, it } from 'vitest';
import { parseSortOrder, sortResources, type SortOrder } from '../../../src/scim/resource/sort.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import type { ResourceTypeDef, ScimResource } from '../../../src/scim/schema/types.ts';
import { ENT } from '../patch/helpers.ts';

const users: ScimResource[] = [
  {
    id: 'a',
    userName: 'charlie',
    emails: [{ value: 'z@x' }, { value: 'b@x', primary: true }],
    meta: { created: '2021-01-01T00:00:00Z' },
    [ENT]: { employeeNumber: '10' },
  },
  {
    id: 'b',
    userName: 'Alice',
    displayName: 'Zed',
    emails: [{ value: 'c@x' }],
    meta: { created: '2020-06-01T00:00:00+02:00' },
    active: true,
  },
  {
    id: 'c',
    userName: 'bob',
    displayName: 'amy',
    meta: { created: 'not a date' },
    active: false,
    [ENT]: { employeeNumber: '9' },
  },
  {
    id: 'd',
    userName: 'BOB',
    displayName: 'Amy',
    emails: [{ value: 'a@x', primary: false }, { value: 'd@x' }],
    meta: { created: '2019-01-01T00:00:00Z' },
  },
];

const cases: {
  name: string;
  type?: ResourceTypeDef;
  resources?: ScimResource[];
  sortBy: string;
  order: SortOrder;
  expect: string[];
}[] = [
  {
    name: 'userName ascending, case-insensitive, ties keep their order',
    sortBy: 'userName',
    order: 'ascending',
    expect: ['b', 'c', 'd', 'a'],
  },
  {
    name: 'userName descending, ties keep their order',
    sortBy: 'userName',
    order: 'descending',
    expect: ['a', 'c', 'd', 'b'],
  },
  { name: 'sortBy in any case', sortBy: 'USERNAME', order: 'ascending', expect: ['b', 'c', 'd', 'a'] },
  { name: 'missing values last ascending', sortBy: 'displayName', order: 'ascending', expect: ['c', 'd', 'b', 'a'] },
  { name: 'missing values first descending', sortBy: 'displayName', order: 'descending', expect: ['a', 'b', 'c', 'd'] },
  {
    name: 'a multi-valued attribute sorts by its primary value, else the first',
    sortBy: 'emails',
    order: 'ascending',
    expect: ['d', 'a', 'b', 'c'],
  },
  { name: 'emails.value the same way', sortBy: 'emails.value', order: 'descending', expect: ['c', 'b', 'a', 'd'] },
  {
    name: 'an extension attribute (strings compare as strings)',
    sortBy: `${ENT}:employeeNumber`,
    order: 'ascending',
    expect: ['a', 'c', 'b', 'd'],
  },
  {
    name: 'an extension attribute by its bare name',
    sortBy: 'employeeNumber',
    order: 'descending',
    expect: ['b', 'd', 'c', 'a'],
  },
  { name: 'booleans: false before true', sortBy: 'active', order: 'ascending', expect: ['c', 'b', 'a', 'd'] },
  {
    name: 'dateTimes by instant; an unparsable one counts as missing',
    sortBy: 'meta.created',
    order: 'ascending',
    expect: ['d', 'b', 'a', 'c'],
  },
  {
    name: 'an unparsable dateTime first in the list still sorts last',
    resources: [
      { id: 'bad', meta: { created: 'soon' } },
      { id: '2021', meta: { created: '2021-01-01T00:00:00Z' } },
      { id: '2019', meta: { created: '2019-01-01T00:00:00Z' } },
      { id: 'bad2', meta: { created: '' } },
      { id: '2020', meta: { created: '2020-01-01T00:00:00Z' } },
    ],
    sortBy: 'meta.created',
    order: 'ascending',
    expect: ['2019', '2020', '2021', 'bad', 'bad2'],
  },
  {
    name: 'unknown sortBy keeps the order',
    sortBy: 'favouriteColour',
    order: 'ascending',
    expect: ['a', 'b', 'c', 'd'],
  },
  {
    name: 'unknown sortBy keeps the order descending too',
    sortBy: 'favouriteColour',
    order: 'descending',
    expect: ['a', 'b', 'c', 'd'],
  },
  { name: 'the whole extension keeps the order', sortBy: ENT, order: 'descending', expect: ['a', 'b', 'c', 'd'] },
  {
    name: 'Groups by displayName',
    type: resourceTypes.Group,
    resources: [{ id: 'g1', displayName: 'beta' }, { id: 'g2', displayName: 'Alpha' }, { id: 'g3' }],
    sortBy: 'displayName',
    order: 'ascending',
    expect: ['g2', 'g1', 'g3'],
  },
  {
    name: 'caseExact attributes compare case-sensitively (externalId)',
    resources: [
      { id: '1', externalId: 'b' },
      { id: '2', externalId: 'B' },
      { id: '3', externalId: 'a' },
    ],
    sortBy: 'externalId',
    order: 'ascending',
    expect: ['2', '3', '1'],
  },
];

describe('sortResources', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const list = [...(c.resources ?? users)];
    const returned = sortResources(c.type ?? resourceTypes.User, list, c.sortBy, c.order);
    expect(returned).toBe(list);
    expect(returned.map((r) => r.id)).toEqual(c.expect);
  });
});

describe('parseSortOrder', () => {
  const table: [unknown, SortOrder][] = [
    [undefined, 'ascending'],
    ['ascending', 'ascending'],
    ['descending', 'descending'],
    ['DESCENDING', 'descending'],
    ['Descending', 'descending'],
    ['down', 'ascending'],
    [1, 'ascending'],
  ];
  it.each(table)('parseSortOrder(%j) is %s', (value, expected) => {
    expect(parseSortOrder(value)).toBe(expected);
  });
});
