import { describe, expect, it } from 'vitest';
import { compileFilter, matchesFilter } from '../../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../../src/scim/filter/parse.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import type { ScimResource } from '../../../src/scim/schema/types.ts';
import { ENTERPRISE, sampleGroup, sampleUser } from './fixtures.ts';

interface Case {
  filter: string;
  expectMatch: boolean;
}

const MANAGER = '26118915-6090-4610-87e4-49d8ca9f808d';

const userCases: Case[] = [
  // eq, case-insensitive names and operators, caseExact
  { filter: 'userName eq "bjensen@example.com"', expectMatch: true },
  { filter: 'userName eq "BJENSEN@EXAMPLE.COM"', expectMatch: true },
  { filter: 'USERNAME EQ "bjensen@example.com"', expectMatch: true },
  { filter: 'userName Eq "other@example.com"', expectMatch: false },
  { filter: 'name.FamilyName eq "jensen"', expectMatch: true },
  { filter: 'NAME.GIVENNAME eq "Barbara"', expectMatch: true },
  { filter: 'externalId eq "AbC"', expectMatch: true },
  { filter: 'externalId eq "abc"', expectMatch: false },
  { filter: 'externalId eq AbC', expectMatch: true },
  { filter: 'id eq "2819c223-7f76-453a-919d-413861904646"', expectMatch: true },
  { filter: 'id eq "2819C223-7F76-453A-919D-413861904646"', expectMatch: false },
  { filter: 'meta.version eq "W/\\"3694e05e9dff591\\""', expectMatch: true },
  { filter: 'meta.version eq "w/\\"3694E05E9DFF591\\""', expectMatch: false },
  { filter: 'meta.resourceType eq "User"', expectMatch: true },
  // ne (true when absent too)
  { filter: 'userName ne "someone"', expectMatch: true },
  { filter: 'userName ne "BJENSEN@example.com"', expectMatch: false },
  { filter: 'profileUrl ne "x"', expectMatch: true },
  { filter: 'externalId ne "abc"', expectMatch: true },
  { filter: 'emails.value ne "babs@jensen.org"', expectMatch: false },
  // co / sw / ew
  { filter: 'displayName co "JENS"', expectMatch: true },
  { filter: 'displayName sw "babs"', expectMatch: true },
  { filter: 'displayName ew "JENSEN"', expectMatch: true },
  { filter: 'displayName ew "Babs"', expectMatch: false },
  { filter: 'displayName co "xyz"', expectMatch: false },
  { filter: 'externalId co "b"', expectMatch: true },
  { filter: 'externalId co "B"', expectMatch: false },
  { filter: 'id sw "2819c223"', expectMatch: true },
  { filter: 'id sw "2819C223"', expectMatch: false },
  { filter: 'userName sw B', expectMatch: true },
  { filter: 'userName sw O', expectMatch: false },
  // gt / ge / lt / le on strings (lexicographic, caseExact respected)
  { filter: 'title gt "Tour"', expectMatch: true },
  { filter: 'title lt "tour guidf"', expectMatch: true },
  { filter: 'title ge "TOUR GUIDE"', expectMatch: true },
  { filter: 'title le "tour guide"', expectMatch: true },
  { filter: 'title gt "tour guide"', expectMatch: false },
  { filter: 'title lt "A"', expectMatch: false },
  { filter: 'externalId lt "abc"', expectMatch: true },
  { filter: 'externalId gt "abc"', expectMatch: false },
  // dateTime: chronological
  { filter: 'meta.created gt "2010-01-01T00:00:00Z"', expectMatch: true },
  { filter: 'meta.created lt "2010-01-23T04:56:23Z"', expectMatch: true },
  { filter: 'meta.created eq "2010-01-23T04:56:22.000Z"', expectMatch: true },
  { filter: 'meta.created eq "2010-01-22T20:56:22-08:00"', expectMatch: true },
  { filter: 'meta.lastModified ge "2011-05-13T04:42:34Z"', expectMatch: true },
  { filter: 'meta.lastModified le "2011-05-13T04:42:34Z"', expectMatch: true },
  { filter: 'meta.lastModified gt "2011-05-13T04:42:34Z"', expectMatch: false },
  { filter: 'meta.Created gt 2015-10-10T14:38:21.8617979-07:00', expectMatch: false },
  { filter: 'meta.Created lt 2015-10-10T14:38:21.8617979-07:00', expectMatch: true },
  { filter: 'meta.created sw "2010-01"', expectMatch: true },
  // booleans, including Entra's string booleans
  { filter: 'active eq true', expectMatch: true },
  { filter: 'active eq false', expectMatch: false },
  { filter: 'active ne false', expectMatch: true },
  { filter: 'active ne true', expectMatch: false },
  { filter: 'active eq "True"', expectMatch: true },
  { filter: 'active eq "TRUE"', expectMatch: true },
  { filter: 'active eq "false"', expectMatch: false },
  { filter: 'active eq "maybe"', expectMatch: false },
  { filter: 'emails.primary eq true', expectMatch: true },
  { filter: 'emails[primary eq "true" and type eq work]', expectMatch: true },
  // pr
  { filter: 'title pr', expectMatch: true },
  { filter: 'nickName pr', expectMatch: false },
  { filter: 'phoneNumbers pr', expectMatch: false },
  { filter: 'profileUrl pr', expectMatch: false },
  { filter: 'name pr', expectMatch: true },
  { filter: 'emails pr', expectMatch: true },
  { filter: 'emails.display pr', expectMatch: false },
  { filter: 'addresses.postalCode pr', expectMatch: true },
  { filter: `${ENTERPRISE}:manager pr`, expectMatch: true },
  { filter: `${ENTERPRISE}:costCenter pr`, expectMatch: false },
  // null
  { filter: 'title eq null', expectMatch: false },
  { filter: 'profileUrl eq null', expectMatch: true },
  { filter: 'nickName eq null', expectMatch: true },
  { filter: 'title ne null', expectMatch: true },
  { filter: 'profileUrl ne null', expectMatch: false },
  // multi-valued: any element; complex without sub-attribute compares `value`
  { filter: 'emails co "jensen.org"', expectMatch: true },
  { filter: 'emails eq "BABS@jensen.org"', expectMatch: true },
  { filter: 'emails.value eq "babs@jensen.org"', expectMatch: true },
  { filter: 'emails.Value co example.com', expectMatch: true },
  { filter: 'emails.type eq "other"', expectMatch: false },
  { filter: 'emails.type eq "home" and emails.value co "@example.com"', expectMatch: true },
  // value paths: all conditions on the same element
  { filter: 'emails[type eq "work" and value co "@example.com"]', expectMatch: true },
  { filter: 'emails[type eq "home" and value co "@example.com"]', expectMatch: false },
  { filter: 'emails[TYPE EQ "WORK"]', expectMatch: true },
  { filter: 'emails[not (type eq "work")]', expectMatch: true },
  { filter: 'emails[type eq work and not (primary eq true)]', expectMatch: false },
  { filter: 'addresses[type eq "work" and postalCode eq "91608"]', expectMatch: true },
  { filter: 'addresses[type eq "home" and postalCode eq "91608"]', expectMatch: false },
  { filter: 'addresses[type eq home].postalCode pr', expectMatch: false },
  { filter: 'phoneNumbers[type eq "work"]', expectMatch: false },
  // Entra's emails[type eq "work"].value eq … form
  { filter: 'emails[type eq "work"].value eq "bjensen@example.com"', expectMatch: true },
  { filter: 'emails[type eq "home"].value eq "bjensen@example.com"', expectMatch: false },
  { filter: 'emails[type eq "work"].value pr', expectMatch: true },
  { filter: 'emails[type eq "home"].primary pr', expectMatch: false },
  { filter: 'emails[type eq "work"].value ne "bjensen@example.com"', expectMatch: false },
  { filter: 'emails[type eq "home"].value ew "JENSEN.ORG"', expectMatch: true },
  // enterprise extension, URN-prefixed paths (any case), manager
  { filter: `${ENTERPRISE}:employeeNumber eq "701984"`, expectMatch: true },
  { filter: `${ENTERPRISE}:employeeNumber eq 701984`, expectMatch: true },
  { filter: `${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701984"`, expectMatch: true },
  { filter: `${ENTERPRISE}:manager eq "${MANAGER}"`, expectMatch: true },
  { filter: `${ENTERPRISE}:manager eq "${MANAGER.toUpperCase()}"`, expectMatch: false },
  { filter: `${ENTERPRISE}:manager.value eq "${MANAGER}"`, expectMatch: true },
  { filter: `${ENTERPRISE}:manager[value eq "${MANAGER}"]`, expectMatch: true },
  { filter: `${ENTERPRISE}:manager.displayName co "smith"`, expectMatch: true },
  { filter: `manager eq ${MANAGER}`, expectMatch: true },
  { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName sw "bar"', expectMatch: true },
  { filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', expectMatch: false },
  // logic: precedence, grouping, not
  { filter: 'title pr or userName pr and active eq false', expectMatch: true },
  { filter: '(title pr or userName pr) and active eq false', expectMatch: false },
  { filter: 'active eq false and userName pr or title pr', expectMatch: true },
  { filter: 'active eq false and (userName pr or title pr)', expectMatch: false },
  { filter: 'not (userName eq "x")', expectMatch: true },
  { filter: 'not (title pr)', expectMatch: false },
  { filter: 'not(not(title pr))', expectMatch: true },
  { filter: 'userName pr and not (nickName pr) and (emails pr or phoneNumbers pr)', expectMatch: true },
  {
    filter: 'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    expectMatch: false,
  },
];

describe('matchesFilter: sample user', () => {
  it.each(userCases)('$filter → $expectMatch', ({ filter, expectMatch }) => {
    expect(matchesFilter(parseFilter(filter), sampleUser, resourceTypes.User)).toBe(expectMatch);
  });
});

const groupCases: Case[] = [
  { filter: 'displayName eq "Group (1)"', expectMatch: true },
  { filter: 'displayName eq "group (1)"', expectMatch: true },
  { filter: 'displayName co "(1)"', expectMatch: true },
  { filter: 'displayName eq "a and b"', expectMatch: false },
  { filter: 'members eq "u1"', expectMatch: true },
  { filter: 'members eq "U1"', expectMatch: false },
  { filter: 'members eq "U2"', expectMatch: true },
  { filter: 'members.value eq "u2"', expectMatch: false },
  { filter: 'members[value eq "u1"]', expectMatch: true },
  { filter: 'members[value eq "u1" and display co "mandy"]', expectMatch: false },
  { filter: 'members[value eq "U2" and display co "mandy"]', expectMatch: true },
  { filter: 'id eq "g1" and members eq "u1"', expectMatch: true },
  { filter: 'id eq "g1" and members eq "u3"', expectMatch: false },
  { filter: 'id eq "G1" and members eq "u1"', expectMatch: false },
  { filter: 'meta.created gt 2015-10-10T21:38:21Z', expectMatch: true },
  { filter: 'meta.created lt 2015-10-10T21:38:22Z', expectMatch: true },
  { filter: 'meta.created eq "2015-10-10T21:38:21.861Z"', expectMatch: true },
  { filter: 'meta.created ge 2015-10-10T14:38:21.8617979-07:00', expectMatch: true },
];

describe('matchesFilter: sample group', () => {
  it.each(groupCases)('$filter → $expectMatch', ({ filter, expectMatch }) => {
    expect(matchesFilter(parseFilter(filter), sampleGroup, resourceTypes.Group)).toBe(expectMatch);
  });
});

/** Cases that need a variant of the sample resources. */
const variantCases: {
  name: string;
  resource: ScimResource;
  type: 'User' | 'Group';
  filter: string;
  expectMatch: boolean;
}[] = [
  {
    name: 'string boolean in the resource',
    resource: { ...sampleUser, active: 'True' },
    type: 'User',
    filter: 'active eq true',
    expectMatch: true,
  },
  {
    name: 'string boolean in the resource (ne)',
    resource: { ...sampleUser, active: 'False' },
    type: 'User',
    filter: 'active ne true',
    expectMatch: true,
  },
  { name: 'empty complex', resource: { ...sampleUser, name: {} }, type: 'User', filter: 'name pr', expectMatch: false },
  {
    name: 'complex with only empty values',
    resource: { ...sampleUser, name: { givenName: '', familyName: null } },
    type: 'User',
    filter: 'name pr',
    expectMatch: false,
  },
  {
    name: 'empty strings only in a multi-valued',
    resource: { ...sampleUser, emails: [{ value: '' }] },
    type: 'User',
    filter: 'emails pr',
    expectMatch: false,
  },
  {
    name: "Microsoft's bare-word filter",
    resource: { ...sampleUser, name: { familyName: 'Employee' }, emails: [{ value: 'e@example.org' }] },
    type: 'User',
    filter: 'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    expectMatch: true,
  },
  {
    name: "Entra's id + manager reference check",
    resource: {
      ...sampleUser,
      id: '54D382A4-2050-4C03-94D1-E769F1D15682',
      [ENTERPRISE]: { manager: { value: '2819c223-7f76-453a-919d-413861904646' } },
    },
    type: 'User',
    filter: 'id eq 54D382A4-2050-4C03-94D1-E769F1D15682 and manager eq 2819c223-7f76-453a-919d-413861904646',
    expectMatch: true,
  },
  {
    name: 'manager stored as a bare id',
    resource: { ...sampleUser, [ENTERPRISE]: { manager: MANAGER } },
    type: 'User',
    filter: `manager eq "${MANAGER}"`,
    expectMatch: true,
  },
  {
    name: '"a and b" inside a string',
    resource: { ...sampleGroup, displayName: 'a and b' },
    type: 'Group',
    filter: 'displayName eq "a and b"',
    expectMatch: true,
  },
  {
    name: 'case-insensitive keys in the resource',
    resource: { UserName: 'bjensen' },
    type: 'User',
    filter: 'userName eq "BJensen"',
    expectMatch: true,
  },
  {
    name: 'no members at all',
    resource: { id: 'g2', displayName: 'Empty' },
    type: 'Group',
    filter: 'members eq "u1"',
    expectMatch: false,
  },
  {
    name: 'no members, ne',
    resource: { id: 'g2', displayName: 'Empty' },
    type: 'Group',
    filter: 'members ne "u1"',
    expectMatch: true,
  },
];

describe('matchesFilter: resource variants', () => {
  it.each(variantCases)('$name: $filter → $expectMatch', ({ resource, type, filter, expectMatch }) => {
    expect(matchesFilter(parseFilter(filter), resource, resourceTypes[type])).toBe(expectMatch);
  });
});

describe('matchesFilter: odd data shapes never throw', () => {
  const odd: ScimResource = {
    userName: 42,
    name: ['x', 1],
    emails: 'not-a-list',
    addresses: [null, 7, 'x', { type: 'work' }],
    active: 5,
    meta: null,
    [ENTERPRISE]: 'broken',
  };
  const filters = [
    'userName eq "42"',
    'name.givenName eq "x"',
    'emails[type eq "work"]',
    'emails co "not"',
    'addresses[type eq "work"].postalCode pr',
    'active eq true',
    'meta.created gt "2010-01-01T00:00:00Z"',
    `${ENTERPRISE}:manager eq "x"`,
    'title lt "x"',
  ];
  it.each(filters)('%s', (filter) => {
    expect(() => matchesFilter(parseFilter(filter), odd, resourceTypes.User)).not.toThrow();
  });

  it('a number where a string is expected compares as its text', () => {
    expect(matchesFilter(parseFilter('userName eq "42"'), odd, resourceTypes.User)).toBe(true);
  });

  it('a predicate from compileFilter is reusable and rejects non-objects', () => {
    const predicate = compileFilter(parseFilter('emails[type eq "work"]'), resourceTypes.User);
    expect(predicate(sampleUser)).toBe(true);
    expect(predicate({ userName: 'x' })).toBe(false);
    expect(predicate(null as unknown as ScimResource)).toBe(false);
    expect(predicate([] as unknown as ScimResource)).toBe(false);
  });
});
