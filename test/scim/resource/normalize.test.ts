import { describe, expect, it } from 'vitest';
import {
  dedupePrimary,
  isEmpty,
  normalizeResource,
  normalizeValue,
  requireKeyAttribute,
} from '../../../src/scim/resource/normalize.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../../../src/scim/schema/types.ts';
import { CORE_USER, ENT, expectScimError, type ExpectedError } from '../patch/helpers.ts';

const User = resourceTypes.User;
const Group = resourceTypes.Group;

const cases: { name: string; type?: ResourceTypeDef; body: Record<string, unknown>; expect: ScimResource }[] = [
  {
    name: 'unknown sub-attributes of declared attributes are dropped; undeclared attributes are kept as sent',
    body: {
      userName: 'u',
      favouriteColour: 'blue',
      name: { givenName: 'g', nick: 'x' },
      emails: [{ value: 'a@x', label: 'l' }],
    },
    expect: { userName: 'u', favouriteColour: 'blue', name: { givenName: 'g' }, emails: [{ value: 'a@x' }] },
  },
  {
    name: "Entra's custom extension attribute as a URN key, its URN not in schemas: kept under the URN",
    body: {
      schemas: [CORE_USER],
      userName: 'u',
      'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:CustomAttribute': 'v1',
    },
    expect: {
      userName: 'u',
      'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User': { CustomAttribute: 'v1' },
    },
  },
  {
    name: 'an undeclared extension sent whole, values of any JSON type kept as sent',
    body: {
      userName: 'u',
      'urn:example:acme:2.0:User': { badge: 7, vip: 'True', tags: ['a', 'b'], nothing: null, __proto__x: 1 },
    },
    expect: { userName: 'u', 'urn:example:acme:2.0:User': { badge: 7, vip: 'True', tags: ['a', 'b'] } },
  },
  {
    name: 'an undeclared attribute under the enterprise URN and a dotted undeclared attribute',
    body: { userName: 'u', [`${ENT}:badge`]: 'b', 'office.floor': '3' },
    expect: { userName: 'u', [ENT]: { badge: 'b' }, office: { floor: '3' } },
  },
  {
    name: 'roles in the POST forms of SingleAppRoleAssignment and AppRoleAssignmentsComplex ("displayName" for "display")',
    body: {
      userName: 'u',
      roles: [
        { primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', displayName: 'User', value: 'User' },
        '{"id":"x","value":"Test","displayName":"Tester"}',
      ],
    },
    expect: {
      userName: 'u',
      roles: [
        { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
        { value: 'Test', display: 'Tester' },
      ],
    },
  },
  {
    name: 'a role value that only looks like JSON is kept as sent',
    body: { userName: 'u', roles: [{ value: '{not json' }], entitlements: [{ value: '{"value":"x"}' }] },
    expect: { userName: 'u', roles: [{ value: '{not json' }], entitlements: [{ value: '{"value":"x"}' }] },
  },
  {
    name: 'undeclared values never carry a __proto__ key',
    body: JSON.parse('{"userName":"u","blob":{"__proto__":{"polluted":1},"ok":1}}'),
    expect: { userName: 'u', blob: { ok: 1 } },
  },
  {
    name: 'read-only attributes (id, meta, groups) and schemas are dropped',
    body: {
      schemas: [CORE_USER],
      id: 'x',
      meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z' },
      groups: [{ value: 'g1' }],
      userName: 'u',
    },
    expect: { userName: 'u' },
  },
  {
    name: 'the old-doc enterprise typo key is the enterprise extension',
    body: {
      userName: 'u',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { employeeNumber: '1', Department: 'D' },
    },
    expect: { userName: 'u', [ENT]: { employeeNumber: '1', department: 'D' } },
  },
  {
    name: 'the enterprise URN key in another case',
    body: { userName: 'u', [ENT.toUpperCase()]: { costCenter: 'c' } },
    expect: { userName: 'u', [ENT]: { costCenter: 'c' } },
  },
  {
    name: 'explicit nulls are ignored (Entra POST)',
    body: {
      userName: 'u',
      addresses: null,
      title: null,
      manager: null,
      name: { givenName: null, familyName: 'F' },
      [ENT]: { manager: null, department: null },
    },
    expect: { userName: 'u', name: { familyName: 'F' } },
  },
  {
    name: 'a null extension object is ignored',
    body: { userName: 'u', [ENT]: null },
    expect: { userName: 'u' },
  },
  {
    name: 'empty strings and empty lists are unassigned',
    body: { userName: 'u', title: '', emails: [], phoneNumbers: [{ value: '' }], name: { givenName: '' } },
    expect: { userName: 'u' },
  },
  {
    name: 'string booleans are coerced (any case, padded)',
    body: { userName: 'u', active: 'True', emails: [{ value: 'a@x', primary: ' FALSE ' }] },
    expect: { userName: 'u', active: true, emails: [{ value: 'a@x', primary: false }] },
  },
  {
    name: 'numbers and booleans for string attributes become strings',
    body: { userName: 'u', externalId: 123, title: true },
    expect: { userName: 'u', externalId: '123', title: 'true' },
  },
  {
    name: 'keys in any case are canonicalised, at every level',
    body: {
      UserName: 'u',
      DISPLAYNAME: 'D',
      Name: { GivenName: 'g', FAMILYNAME: 'f' },
      Emails: [{ Value: 'a@x', Type: 'work', Primary: true }],
    },
    expect: {
      userName: 'u',
      displayName: 'D',
      name: { givenName: 'g', familyName: 'f' },
      emails: [{ value: 'a@x', type: 'work', primary: true }],
    },
  },
  {
    name: 'two primaries: only the last stays primary',
    body: {
      userName: 'u',
      emails: [{ value: 'a@x', primary: true }, { value: 'b@x', primary: true }, { value: 'c@x' }],
    },
    expect: {
      userName: 'u',
      emails: [{ value: 'a@x', primary: false }, { value: 'b@x', primary: true }, { value: 'c@x' }],
    },
  },
  {
    name: 'dotted and URN-qualified keys at the top level',
    body: {
      userName: 'u',
      'name.givenName': 'g',
      'Name.FamilyName': 'f',
      [`${CORE_USER}:displayName`]: 'D',
      [`${ENT}:employeeNumber`]: '7',
      [`${ENT}:manager.value`]: 'm1',
    },
    expect: {
      userName: 'u',
      displayName: 'D',
      name: { givenName: 'g', familyName: 'f' },
      [ENT]: { employeeNumber: '7', manager: { value: 'm1' } },
    },
  },
  {
    name: 'a dotted key after the whole complex attribute adds to it',
    body: { userName: 'u', name: { familyName: 'f' }, 'name.givenName': 'g' },
    expect: { userName: 'u', name: { givenName: 'g', familyName: 'f' } },
  },
  {
    name: 'the whole complex attribute after a dotted key keeps the dotted sub-attribute',
    body: { userName: 'u', 'name.givenName': 'g', name: { familyName: 'f' } },
    expect: { userName: 'u', name: { givenName: 'g', familyName: 'f' } },
  },
  {
    name: 'a dotted key into a multi-valued attribute keeps it a list',
    body: { userName: 'u', 'emails.value': 'a@x' },
    expect: { userName: 'u', emails: [{ value: 'a@x' }] },
  },
  {
    name: 'a dotted key into an existing multi-valued attribute sets it on every element',
    body: { userName: 'u', emails: [{ value: 'a@x' }, { value: 'b@x' }], 'emails.type': 'work' },
    expect: {
      userName: 'u',
      emails: [
        { value: 'a@x', type: 'work' },
        { value: 'b@x', type: 'work' },
      ],
    },
  },
  {
    name: 'bare extension attribute names land under the extension',
    body: { userName: 'u', department: 'D', manager: 'm1' },
    expect: { userName: 'u', [ENT]: { department: 'D', manager: { value: 'm1' } } },
  },
  {
    name: 'the manager as a one-element array (older Entra form)',
    body: { userName: 'u', [ENT]: { manager: [{ value: 'm1', $ref: 'http://x/Users/m1' }] } },
    expect: { userName: 'u', [ENT]: { manager: { value: 'm1', $ref: 'http://x/Users/m1' } } },
  },
  {
    name: 'a lone value for a multi-valued attribute is a one-element list',
    body: { userName: 'u', emails: { value: 'a@x', type: 'work' } },
    expect: { userName: 'u', emails: [{ value: 'a@x', type: 'work' }] },
  },
  {
    name: 'group members: "$ref": null dropped, plain strings are { value }',
    type: Group,
    body: {
      displayName: 'G',
      members: [{ $ref: null, value: 'u1' }, 'u2', { value: 'u3', $ref: 'http://x/Users/u3' }],
    },
    expect: {
      displayName: 'G',
      members: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3', $ref: 'http://x/Users/u3' }],
    },
  },
  {
    name: 'enterprise keys on a Group are undeclared there, and kept as sent',
    type: Group,
    body: { displayName: 'G', manager: 'm1', [ENT]: { department: 'D' } },
    expect: { displayName: 'G', manager: 'm1', [ENT]: { department: 'D' } },
  },
];

const errors: { name: string; body: unknown; error: ExpectedError }[] = [
  { name: 'a body that is not an object', body: [{ userName: 'u' }], error: { scimType: 'invalidSyntax' } },
  { name: 'active "yes"', body: { userName: 'u', active: 'yes' }, error: { scimType: 'invalidValue' } },
  { name: 'active 1', body: { userName: 'u', active: 1 }, error: { scimType: 'invalidValue' } },
  { name: 'userName {}', body: { userName: {} }, error: { scimType: 'invalidValue' } },
  { name: 'userName as an array', body: { userName: ['u'] }, error: { scimType: 'invalidValue' } },
  { name: 'name as a string', body: { userName: 'u', name: 'Babs' }, error: { scimType: 'invalidValue' } },
  {
    name: 'a sub-attribute with an object',
    body: { userName: 'u', name: { givenName: { x: 1 } } },
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'primary "yes"',
    body: { userName: 'u', emails: [{ value: 'a@x', primary: 'yes' }] },
    error: { scimType: 'invalidValue' },
  },
  { name: 'the extension as a string', body: { userName: 'u', [ENT]: 'x' }, error: { scimType: 'invalidValue' } },
];

describe('normalizeResource', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = structuredClone(c.body);
    expect(normalizeResource(c.type ?? User, c.body)).toStrictEqual(c.expect);
    expect(c.body).toStrictEqual(before);
  });
  it.each(errors.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    expectScimError(() => normalizeResource(User, c.body), c.error);
  });
});

function def(type: AttributeDef['type'], multiValued = false): AttributeDef {
  return {
    name: 'x',
    type,
    multiValued,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
  };
}

describe('normalizeValue', () => {
  const valid: [string, AttributeDef, unknown, unknown][] = [
    ['boolean from "False"', def('boolean'), 'False', false],
    ['boolean kept', def('boolean'), true, true],
    ['integer from a string', def('integer'), ' 42 ', 42],
    ['decimal', def('decimal'), '1.5', 1.5],
    ['null is unassigned', def('string'), null, undefined],
    ['"" is unassigned', def('string'), '', undefined],
    ['dateTime kept as sent', def('dateTime'), '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z'],
  ];
  it.each(valid)('%s', (_name, attribute, value, expected) => {
    expect(normalizeValue(attribute, value, 'test')).toStrictEqual(expected);
  });
  const invalid: [string, AttributeDef, unknown][] = [
    ['integer from a fraction', def('integer'), 1.5],
    ['integer from text', def('integer'), 'abc'],
    ['decimal from ""-like blank', def('decimal'), ' '],
    ['boolean from "1"', def('boolean'), '1'],
  ];
  it.each(invalid)('refuses %s', (_name, attribute, value) => {
    expectScimError(() => normalizeValue(attribute, value, 'test'), { scimType: 'invalidValue' });
  });
  it('normalises one element of a multi-valued attribute when asked', () => {
    const emails = User.schema.attributes.find((a) => a.name === 'emails')!;
    expect(normalizeValue(emails, { Value: 'a@x', Type: 'work' }, 'test', true)).toStrictEqual({
      value: 'a@x',
      type: 'work',
    });
    expect(normalizeValue(emails, { Value: 'a@x' }, 'test')).toStrictEqual([{ value: 'a@x' }]);
  });
});

describe('dedupePrimary', () => {
  const table: [string, unknown[], ReadonlySet<number> | undefined, unknown[]][] = [
    ['no primary', [{ value: 'a' }, { value: 'b' }], undefined, [{ value: 'a' }, { value: 'b' }]],
    [
      'one primary',
      [{ value: 'a', primary: true }, { value: 'b' }],
      undefined,
      [{ value: 'a', primary: true }, { value: 'b' }],
    ],
    [
      'the last of several wins',
      [
        { value: 'a', primary: true },
        { value: 'b', primary: true },
      ],
      undefined,
      [
        { value: 'a', primary: false },
        { value: 'b', primary: true },
      ],
    ],
    [
      'a preferred primary wins wherever it is',
      [
        { value: 'a', primary: true },
        { value: 'b', primary: true },
        { value: 'c', primary: true },
      ],
      new Set([0]),
      [
        { value: 'a', primary: true },
        { value: 'b', primary: false },
        { value: 'c', primary: false },
      ],
    ],
    [
      'non-objects are left alone',
      ['a', { value: 'b', primary: true }],
      undefined,
      ['a', { value: 'b', primary: true }],
    ],
  ];
  it.each(table)('%s', (_name, input, preferred, expected) => {
    const before = structuredClone(input);
    expect(dedupePrimary(input, preferred)).toStrictEqual(expected);
    expect(input).toStrictEqual(before);
  });
});

describe('isEmpty', () => {
  const table: [unknown, boolean][] = [
    [null, true],
    [undefined, true],
    ['', true],
    [[], true],
    [{}, true],
    [{ a: null, b: '' }, true],
    [{ a: { b: [] } }, true],
    [false, false],
    [0, false],
    [' ', false],
    [['x'], false],
    [{ a: false }, false],
  ];
  it.each(table)('isEmpty(%j) is %s', (value, expected) => {
    expect(isEmpty(value)).toBe(expected);
  });
});

describe('requireKeyAttribute', () => {
  it('returns the userName of a User and the displayName of a Group', () => {
    expect(requireKeyAttribute(User, { userName: 'u' })).toBe('u');
    expect(requireKeyAttribute(Group, { displayName: 'G' })).toBe('G');
  });
  const missing: [string, ResourceTypeDef, ScimResource][] = [
    ['User without userName', User, { displayName: 'D' }],
    ['User with a blank userName', User, { userName: '   ' }],
    ['User with a non-string userName', User, { userName: 5 }],
    ['Group without displayName', Group, { members: [] }],
    ['Group with an empty displayName', Group, { displayName: '' }],
  ];
  it.each(missing)('refuses a %s', (_name, type, resource) => {
    expectScimError(() => requireKeyAttribute(type, resource), { scimType: 'invalidValue' });
  });
});
