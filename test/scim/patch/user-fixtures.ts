/**
 * PATCH fixtures for Users: RFC 7644 §3.5.2 semantics and the forms Microsoft Entra ID sends.
 * `operations` are raw, as on the wire (run through parsePatchRequest first); `expect.resource` is the
 * whole resulting resource and `expect.changed` the changedAttributes list (order-insensitive).
 */
import type { ScimResource } from '../../../src/scim/schema/types.ts';
import { CORE_USER, edit, ENT, type ExpectedError } from './helpers.ts';

export interface PatchCase {
  name: string;
  resource: ScimResource;
  operations: unknown[];
  expect: { resource: ScimResource; changed: string[] };
}

export interface PatchErrorCase {
  name: string;
  resource: ScimResource;
  operations: unknown[];
  error: ExpectedError;
}

export const baseUser: ScimResource = {
  schemas: [CORE_USER, ENT],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: 'bjensen',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  meta: { resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2011-05-13T04:42:34Z' },
  [ENT]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: '26118915', $ref: 'https://example.com/scim/Users/26118915' },
  },
};

/** A freshly provisioned Entra user: no emails, addresses or enterprise data. */
export const bareUser: ScimResource = {
  schemas: [CORE_USER],
  id: 'u-bare',
  userName: 'Test_User_1@contoso.com',
  active: true,
};

const MANAGER_PATH = `${ENT}:manager`;
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';

export const entraUserCases: PatchCase[] = [
  {
    name: 'Replace active with the string "False" stores boolean false',
    resource: baseUser,
    operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    expect: { resource: edit(baseUser, (r) => (r.active = false)), changed: ['active'] },
  },
  {
    name: 'Replace active with the string "True" stores boolean true',
    resource: edit(baseUser, (r) => (r.active = false)),
    operations: [{ op: 'Replace', path: 'active', value: 'True' }],
    expect: { resource: baseUser, changed: ['active'] },
  },
  {
    name: 'Replace emails[type eq "work"].value on a user with a work email replaces its value only',
    resource: baseUser,
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y' }],
    expect: { resource: edit(baseUser, (r) => (r.emails[0].value = 'x@y')), changed: ['emails'] },
  },
  {
    name: 'Replace emails[type eq "work"].value on a user without emails creates the work email',
    resource: bareUser,
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y' }],
    expect: { resource: edit(bareUser, (r) => (r.emails = [{ type: 'work', value: 'x@y' }])), changed: ['emails'] },
  },
  {
    name: 'Replace emails[type eq "work"].value on a user with only a home email appends a work email',
    resource: edit(bareUser, (r) => (r.emails = [{ value: 'h@x', type: 'home', primary: true }])),
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@y' }],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.emails = [
            { value: 'h@x', type: 'home', primary: true },
            { type: 'work', value: 'x@y' },
          ]),
      ),
      changed: ['emails'],
    },
  },
  {
    name: 'Replace phoneNumbers[type eq "mobile"].value and [type eq "fax"].value (Entra) create both',
    resource: bareUser,
    operations: [
      { op: 'Replace', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0100' },
      { op: 'Replace', path: 'phoneNumbers[type eq "fax"].value', value: '+1 555 0101' },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.phoneNumbers = [
            { type: 'mobile', value: '+1 555 0100' },
            { type: 'fax', value: '+1 555 0101' },
          ]),
      ),
      changed: ['phoneNumbers'],
    },
  },
  {
    name: 'Add addresses[type eq "work"].formatted on a user without addresses creates the work address',
    resource: bareUser,
    operations: [{ op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St\nSpringfield' }],
    expect: {
      resource: edit(bareUser, (r) => (r.addresses = [{ type: 'work', formatted: '1 Main St\nSpringfield' }])),
      changed: ['addresses'],
    },
  },
  {
    name: 'several Replace ops in one request, including an enterprise URN path',
    resource: baseUser,
    operations: [
      { op: 'Replace', path: 'displayName', value: 'Barbara Jensen' },
      { op: 'Replace', path: 'name.givenName', value: 'Barb' },
      { op: 'Replace', path: 'name.familyName', value: 'Jensen-Smith' },
      { op: 'Replace', path: `${ENT}:employeeNumber`, value: '42' },
      { op: 'Replace', path: `${ENT}:department`, value: 'Finance' },
      { op: 'Replace', path: 'title', value: 'Guide' },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.displayName = 'Barbara Jensen';
        r.name.givenName = 'Barb';
        r.name.familyName = 'Jensen-Smith';
        r[ENT].employeeNumber = '42';
        r[ENT].department = 'Finance';
        r.title = 'Guide';
      }),
      changed: ['displayName', 'name', 'title', `${ENT}:employeeNumber`, `${ENT}:department`],
    },
  },
  {
    name: 'no-path Replace with dotted and URN-qualified keys nests them and leaves other name parts alone',
    resource: baseUser,
    operations: [
      {
        op: 'Replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENT}:employeeNumber`]: 'Aklq',
        },
      },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.displayName = 'Bjfe';
        r.name = { formatted: 'Ms. Barbara J Jensen III', givenName: 'Kkom', familyName: 'Unua' };
        r[ENT].employeeNumber = 'Aklq';
      }),
      changed: ['displayName', 'name', `${ENT}:employeeNumber`],
    },
  },
  {
    name: 'no-path Replace with the RFC nested form merges name and the extension object',
    resource: baseUser,
    operations: [
      { op: 'replace', value: { name: { givenName: 'x' }, [ENT]: { department: 'Sales', costCenter: 'CC1' } } },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.name.givenName = 'x';
        r[ENT].department = 'Sales';
        r[ENT].costCenter = 'CC1';
      }),
      changed: ['name', `${ENT}:department`, `${ENT}:costCenter`],
    },
  },
  {
    name: 'no-path Add with a nested extension object on a user without one creates it',
    resource: bareUser,
    operations: [{ op: 'Add', value: { [ENT]: { employeeNumber: '7', manager: 'm9' } } }],
    expect: {
      resource: edit(bareUser, (r) => (r[ENT] = { employeeNumber: '7', manager: { value: 'm9' } })),
      changed: [`${ENT}:employeeNumber`, `${ENT}:manager`],
    },
  },
  {
    name: 'Add nickName',
    resource: baseUser,
    operations: [{ op: 'Add', path: 'nickName', value: 'Babs' }],
    expect: { resource: edit(baseUser, (r) => (r.nickName = 'Babs')), changed: ['nickName'] },
  },
  {
    name: 'Add the manager as a bare string makes it { value }',
    resource: bareUser,
    operations: [{ op: 'Add', path: MANAGER_PATH, value: '2c2f6fb8' }],
    expect: {
      resource: edit(bareUser, (r) => (r[ENT] = { manager: { value: '2c2f6fb8' } })),
      changed: [`${ENT}:manager`],
    },
  },
  {
    name: 'older Add "manager" as a one-element array lands under the enterprise URN',
    resource: bareUser,
    operations: [{ op: 'Add', path: 'manager', value: [{ $ref: 'http://x/Users/m1', value: 'm1' }] }],
    expect: {
      resource: edit(bareUser, (r) => (r[ENT] = { manager: { value: 'm1', $ref: 'http://x/Users/m1' } })),
      changed: [`${ENT}:manager`],
    },
  },
  {
    name: 'Replace the manager with "" clears it',
    resource: baseUser,
    operations: [{ op: 'Replace', path: MANAGER_PATH, value: '' }],
    expect: { resource: edit(baseUser, (r) => delete r[ENT].manager), changed: [`${ENT}:manager`] },
  },
  {
    name: 'Replace the manager with null clears it',
    resource: baseUser,
    operations: [{ op: 'Replace', path: MANAGER_PATH, value: null }],
    expect: { resource: edit(baseUser, (r) => delete r[ENT].manager), changed: [`${ENT}:manager`] },
  },
  {
    name: 'Replace the manager with { value: "" } clears it',
    resource: baseUser,
    operations: [{ op: 'Replace', path: MANAGER_PATH, value: { value: '' } }],
    expect: { resource: edit(baseUser, (r) => delete r[ENT].manager), changed: [`${ENT}:manager`] },
  },
  {
    name: 'Remove the manager clears it',
    resource: baseUser,
    operations: [{ op: 'Remove', path: MANAGER_PATH }],
    expect: { resource: edit(baseUser, (r) => delete r[ENT].manager), changed: [`${ENT}:manager`] },
  },
  {
    name: 'Remove the only enterprise attribute removes the extension object',
    resource: edit(bareUser, (r) => (r[ENT] = { manager: { value: 'm1' } })),
    operations: [{ op: 'Remove', path: 'manager' }],
    expect: { resource: bareUser, changed: [`${ENT}:manager`] },
  },
  {
    name: 'Replace the manager with a new id replaces it whole (no stale $ref)',
    resource: baseUser,
    operations: [{ op: 'Replace', path: MANAGER_PATH, value: 'm2' }],
    expect: { resource: edit(baseUser, (r) => (r[ENT].manager = { value: 'm2' })), changed: [`${ENT}:manager`] },
  },
  {
    name: 'Replace the manager with an object replaces it whole',
    resource: baseUser,
    operations: [{ op: 'Replace', path: MANAGER_PATH, value: { value: 'm3' } }],
    expect: { resource: edit(baseUser, (r) => (r[ENT].manager = { value: 'm3' })), changed: [`${ENT}:manager`] },
  },
  {
    name: 'replace on the whole enterprise extension sets the given attributes and keeps the others (RFC §3.5.2.3)',
    resource: baseUser,
    operations: [{ op: 'replace', path: ENT, value: { department: 'x' } }],
    expect: { resource: edit(baseUser, (r) => (r[ENT].department = 'x')), changed: [`${ENT}:department`] },
  },
  {
    name: 'remove on the whole enterprise extension drops it',
    resource: baseUser,
    operations: [{ op: 'remove', path: ENT }],
    expect: {
      resource: edit(baseUser, (r) => delete r[ENT]),
      changed: [`${ENT}:employeeNumber`, `${ENT}:department`, `${ENT}:manager`],
    },
  },
  {
    name: 'capitalised sub-attribute names in paths set the canonical camelCase keys',
    resource: bareUser,
    operations: [
      { op: 'Add', path: 'addresses[type eq "work"].Formatted', value: 'Street 1' },
      { op: 'Add', path: 'emails[type eq "work"].Value', value: 'w@x' },
      { op: 'Add', path: 'name.FamilyName', value: 'Doe' },
      { op: 'Add', path: 'NickName', value: 'JD' },
      { op: 'Add', path: `${ENT}:EmployeeNumber`, value: 'E1' },
    ],
    expect: {
      resource: edit(bareUser, (r) => {
        r.addresses = [{ type: 'work', formatted: 'Street 1' }];
        r.emails = [{ type: 'work', value: 'w@x' }];
        r.name = { familyName: 'Doe' };
        r.nickName = 'JD';
        r[ENT] = { employeeNumber: 'E1' };
      }),
      changed: ['addresses', 'emails', 'name', 'nickName', `${ENT}:employeeNumber`],
    },
  },
  {
    name: 'no-path value with "" and null clears those attributes (Microsoft validator null update)',
    resource: edit(baseUser, (r) => {
      r.title = 'Guide';
      r.nickName = 'Babs';
    }),
    operations: [
      {
        op: 'Replace',
        value: {
          title: null,
          nickName: '',
          'name.givenName': null,
          [`${ENT}:department`]: '',
          manager: null,
          displayName: 'Still here',
        },
      },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        delete r.name.givenName;
        delete r[ENT].department;
        delete r[ENT].manager;
        r.displayName = 'Still here';
      }),
      changed: ['title', 'nickName', 'name', 'displayName', `${ENT}:department`, `${ENT}:manager`],
    },
  },
  {
    name: 'no-path value with null for an attribute that is not there is no change',
    resource: bareUser,
    operations: [{ op: 'Replace', value: { title: null, 'name.givenName': null, [`${ENT}:department`]: null } }],
    expect: { resource: bareUser, changed: [] },
  },
  {
    name: 'no-path value with a read-only key (null or not) is ignored, as in a POST body',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { id: 'other', groups: null, meta: null, displayName: 'D' } }],
    expect: { resource: edit(baseUser, (r) => (r.displayName = 'D')), changed: ['displayName'] },
  },
  {
    name: 'no-path value with a filtered key is applied as that path',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { 'emails[type eq "work"].value': 'new@x', nickName: 'B' } }],
    expect: {
      resource: edit(baseUser, (r) => {
        r.emails[0].value = 'new@x';
        r.nickName = 'B';
      }),
      changed: ['emails', 'nickName'],
    },
  },
  {
    name: 'no-path Add of a multi-valued attribute appends',
    resource: baseUser,
    operations: [{ op: 'Add', value: { emails: [{ value: 'new@x', type: 'other' }] } }],
    expect: { resource: edit(baseUser, (r) => r.emails.push({ value: 'new@x', type: 'other' })), changed: ['emails'] },
  },
  {
    name: 'no-path Replace of a multi-valued attribute replaces the list',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { emails: [{ value: 'new@x', type: 'work', primary: true }] } }],
    expect: {
      resource: edit(baseUser, (r) => (r.emails = [{ value: 'new@x', type: 'work', primary: true }])),
      changed: ['emails'],
    },
  },
  {
    name: 'no-path value with the old-doc enterprise typo key',
    resource: baseUser,
    operations: [
      { op: 'Replace', value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: 'Typo' } } },
    ],
    expect: { resource: edit(baseUser, (r) => (r[ENT].department = 'Typo')), changed: [`${ENT}:department`] },
  },
  {
    name: 'no-path value with a null filtered key removes that sub-attribute from the match',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { 'emails[type eq "home"].value': null } }],
    expect: { resource: edit(baseUser, (r) => (r.emails[1] = { type: 'home' })), changed: ['emails'] },
  },
  {
    name: 'no-path value with a sub-attribute of a multi-valued attribute applies to every element',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { 'emails.type': 'other' } }],
    expect: {
      resource: edit(baseUser, (r) => r.emails.forEach((e: Record<string, unknown>) => (e.type = 'other'))),
      changed: ['emails'],
    },
  },
  {
    name: 'no-path nested values with null clear just those sub-attributes',
    resource: baseUser,
    operations: [
      {
        op: 'Replace',
        value: { name: { givenName: null, formatted: '' }, [ENT]: { department: null, manager: null } },
      },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.name = { familyName: 'Jensen' };
        r[ENT] = { employeeNumber: '701984' };
      }),
      changed: ['name', `${ENT}:department`, `${ENT}:manager`],
    },
  },
  {
    name: 'no-path Replace with an empty list clears a multi-valued attribute',
    resource: baseUser,
    operations: [{ op: 'Replace', value: { emails: [] } }],
    expect: { resource: edit(baseUser, (r) => delete r.emails), changed: ['emails'] },
  },
  {
    name: 'no-path keys in any case, including the extension URN',
    resource: baseUser,
    operations: [
      { op: 'Replace', value: { DisplayName: 'D', 'NAME.GIVENNAME': 'G', [ENT.toUpperCase()]: { Department: 'Up' } } },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.displayName = 'D';
        r.name.givenName = 'G';
        r[ENT].department = 'Up';
      }),
      changed: ['displayName', 'name', `${ENT}:department`],
    },
  },
  {
    name: 'no-path undeclared keys are kept; unknown sub-attributes of declared attributes are dropped',
    resource: baseUser,
    operations: [
      {
        op: 'Add',
        value: {
          favouriteColour: 'blue',
          'name.nick': 'x',
          schemas: [CORE_USER],
          'urn:example:ext:1.0:User': { a: 1 },
        },
      },
    ],
    expect: {
      resource: edit(baseUser, (r) => {
        r.favouriteColour = 'blue';
        r['urn:example:ext:1.0:User'] = { a: 1 };
      }),
      changed: ['favouriteColour', 'urn:example:ext:1.0:User:a'],
    },
  },
  {
    name: 'Entra custom extension attribute by path, beside a mapped attribute (both apply)',
    resource: bareUser,
    operations: [
      { op: 'Add', path: `${CUSTOM}:CustomAttribute`, value: 'v1' },
      { op: 'Replace', path: 'displayName', value: 'D' },
    ],
    expect: {
      resource: edit(bareUser, (r) => ((r[CUSTOM] = { CustomAttribute: 'v1' }), (r.displayName = 'D'))),
      changed: ['displayName', `${CUSTOM}:CustomAttribute`],
    },
  },
  {
    name: 'Entra custom extension attribute as a no-path key (aadOptscim062020)',
    resource: bareUser,
    operations: [{ op: 'replace', value: { displayName: 'D', [`${CUSTOM}:CustomAttribute`]: 'v2' } }],
    expect: {
      resource: edit(bareUser, (r) => ((r[CUSTOM] = { CustomAttribute: 'v2' }), (r.displayName = 'D'))),
      changed: ['displayName', `${CUSTOM}:CustomAttribute`],
    },
  },
  {
    name: 'an undeclared attribute in another case replaces the value under its first spelling',
    resource: edit(bareUser, (r) => (r[CUSTOM] = { CustomAttribute: 'v1' })),
    operations: [{ op: 'replace', path: `${CUSTOM.toLowerCase()}:customattribute`, value: 'v2' }],
    expect: {
      resource: edit(bareUser, (r) => (r[CUSTOM] = { CustomAttribute: 'v2' })),
      changed: [`${CUSTOM}:CustomAttribute`],
    },
  },
  {
    name: 'an undeclared attribute removed, and cleared with "" (the validator\'s null update)',
    resource: edit(
      bareUser,
      (r) => ((r[CUSTOM] = { CustomAttribute: 'v1', Other: 'o' }), (r.nickName = 'n'), (r.favouriteColour = 'blue')),
    ),
    operations: [
      { op: 'Remove', path: `${CUSTOM}:CustomAttribute` },
      { op: 'replace', value: { [`${CUSTOM}:Other`]: '', favouriteColour: null } },
    ],
    expect: {
      resource: edit(bareUser, (r) => (r.nickName = 'n')),
      changed: ['favouriteColour', `${CUSTOM}:CustomAttribute`, `${CUSTOM}:Other`],
    },
  },
  {
    name: 'roles: AppRoleAssignmentsComplex Add with JSON-string values becomes role objects',
    resource: bareUser,
    operations: [
      {
        op: 'Add',
        path: 'roles',
        value: [
          { value: '{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"Admin","displayName":"Admin"}' },
          { value: '{"id":"06b07648-ecfe-599f-9d2f-6325724a46ee","value":"User","displayName":"User"}' },
        ],
      },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.roles = [
            { value: 'Admin', display: 'Admin' },
            { value: 'User', display: 'User' },
          ]),
      ),
      changed: ['roles'],
    },
  },
  {
    name: 'roles: a JSON-string Add of a role already held (POST form) merges into it',
    resource: edit(
      bareUser,
      (r) =>
        (r.roles = [{ primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Admin', value: 'Admin' }]),
    ),
    operations: [
      { op: 'Add', path: 'roles', value: [{ value: '{"id":"1","value":"Admin","displayName":"Administrator"}' }] },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.roles = [
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Administrator', value: 'Admin' },
          ]),
      ),
      changed: ['roles'],
    },
  },
  {
    name: 'roles: AssertiveAppRoleAssignmentsComplex replaces the whole list',
    resource: edit(bareUser, (r) => (r.roles = [{ value: 'Old' }])),
    operations: [
      {
        op: 'replace',
        path: 'roles',
        value: [
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Test', value: 'Test' },
        ],
      },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.roles = [
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
            { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Test', value: 'Test' },
          ]),
      ),
      changed: ['roles'],
    },
  },
  {
    name: 'roles: SingleAppRoleAssignment writes value, display and type of the primary role',
    resource: bareUser,
    operations: [
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Admin' },
      { op: 'Replace', path: 'roles[primary eq "True"].display', value: 'Administrator' },
      { op: 'Replace', path: 'roles[primary eq "True"].type', value: 'WindowsAzureActiveDirectoryRole' },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.roles = [
            { primary: true, value: 'Admin', display: 'Administrator', type: 'WindowsAzureActiveDirectoryRole' },
          ]),
      ),
      changed: ['roles'],
    },
  },
  {
    name: 'roles: removed by a JSON-string value list and by a value filter',
    resource: edit(bareUser, (r) => (r.roles = [{ value: 'Admin' }, { value: 'User' }, { value: 'Test' }])),
    operations: [
      { op: 'Remove', path: 'roles', value: [{ value: '{"id":"1","value":"Admin","displayName":"Admin"}' }] },
      { op: 'remove', path: 'roles[value eq "Test"]' },
    ],
    expect: { resource: edit(bareUser, (r) => (r.roles = [{ value: 'User' }])), changed: ['roles'] },
  },
  {
    name: 'roles Add with primary and type as Entra sends them',
    resource: bareUser,
    operations: [
      {
        op: 'Add',
        path: 'roles',
        value: [{ primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
      },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) => (r.roles = [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }]),
      ),
      changed: ['roles'],
    },
  },
];

export const rfcUserCases: PatchCase[] = [
  {
    name: 'add to a multi-valued attribute appends',
    resource: baseUser,
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'other@x', type: 'other' }] }],
    expect: {
      resource: edit(baseUser, (r) => r.emails.push({ value: 'other@x', type: 'other' })),
      changed: ['emails'],
    },
  },
  {
    name: 'add of a value already there is no change',
    resource: baseUser,
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] }],
    expect: { resource: baseUser, changed: [] },
  },
  {
    name: 'add of several values appends each once',
    resource: bareUser,
    operations: [
      {
        op: 'add',
        path: 'phoneNumbers',
        value: [
          { value: '1', type: 'work' },
          { value: '2', type: 'mobile' },
        ],
      },
      { op: 'add', path: 'phoneNumbers', value: [{ value: '2', type: 'mobile' }] },
    ],
    expect: {
      resource: edit(
        bareUser,
        (r) =>
          (r.phoneNumbers = [
            { value: '1', type: 'work' },
            { value: '2', type: 'mobile' },
          ]),
      ),
      changed: ['phoneNumbers'],
    },
  },
  {
    name: 'replace of a multi-valued attribute without a filter replaces the whole list',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails', value: [{ value: 'only@x', type: 'work' }] }],
    expect: { resource: edit(baseUser, (r) => (r.emails = [{ value: 'only@x', type: 'work' }])), changed: ['emails'] },
  },
  {
    name: 'replace of a multi-valued attribute with [] removes it',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails', value: [] }],
    expect: { resource: edit(baseUser, (r) => delete r.emails), changed: ['emails'] },
  },
  {
    name: 'replace of a complex attribute keeps the sub-attributes not given',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name', value: { givenName: 'g' } }],
    expect: { resource: edit(baseUser, (r) => (r.name.givenName = 'g')), changed: ['name'] },
  },
  {
    name: 'replace of a complex attribute with a null sub-attribute clears only that one',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name', value: { givenName: null, middleName: 'J', honorificPrefix: '' } }],
    expect: {
      resource: edit(baseUser, (r) => {
        delete r.name.givenName;
        r.name.middleName = 'J';
      }),
      changed: ['name'],
    },
  },
  {
    name: 'replace of a complex attribute with only nulls clears it',
    resource: edit(baseUser, (r) => (r.name = { givenName: 'x' })),
    operations: [{ op: 'replace', path: 'name', value: { GivenName: null } }],
    expect: { resource: edit(baseUser, (r) => delete r.name), changed: ['name'] },
  },
  {
    name: 'add of a complex attribute on a user without it',
    resource: bareUser,
    operations: [{ op: 'add', path: 'name', value: { givenName: 'g', unknownPart: 'x' } }],
    expect: { resource: edit(bareUser, (r) => (r.name = { givenName: 'g' })), changed: ['name'] },
  },
  {
    name: 'a reference given with "Value" in another case is still replaced whole',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'manager', value: { Value: 'm4' } }],
    expect: { resource: edit(baseUser, (r) => (r[ENT].manager = { value: 'm4' })), changed: [`${ENT}:manager`] },
  },
  {
    name: 'replace with the value already there is no change',
    resource: baseUser,
    operations: [
      { op: 'replace', path: 'displayName', value: 'Babs Jensen' },
      { op: 'replace', path: 'active', value: true },
    ],
    expect: { resource: baseUser, changed: [] },
  },
  {
    name: 'primary true on a newly added email makes the previous primary false',
    resource: baseUser,
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'new@x', type: 'other', primary: true }] }],
    expect: {
      resource: edit(baseUser, (r) => {
        r.emails[0].primary = false;
        r.emails.push({ value: 'new@x', type: 'other', primary: true });
      }),
      changed: ['emails'],
    },
  },
  {
    name: 'primary true on a re-added earlier email wins over a later primary',
    resource: edit(
      baseUser,
      (r) =>
        (r.emails = [
          { value: 'a@x', type: 'work' },
          { value: 'b@x', type: 'home', primary: true },
        ]),
    ),
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'a@x', primary: true }] }],
    expect: {
      resource: edit(
        baseUser,
        (r) =>
          (r.emails = [
            { value: 'a@x', type: 'work', primary: true },
            { value: 'b@x', type: 'home', primary: false },
          ]),
      ),
      changed: ['emails'],
    },
  },
  {
    name: 'filtered replace of primary makes the matched element the only primary',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails[type eq "home"].primary', value: true }],
    expect: {
      resource: edit(baseUser, (r) => {
        r.emails[0].primary = false;
        r.emails[1].primary = true;
      }),
      changed: ['emails'],
    },
  },
  {
    name: 'filtered replace of primary on an earlier element demotes a later primary',
    resource: edit(
      baseUser,
      (r) =>
        (r.emails = [
          { value: 'a@x', type: 'work' },
          { value: 'b@x', type: 'home', primary: true },
        ]),
    ),
    operations: [{ op: 'replace', path: 'emails[type eq "work"].primary', value: 'True' }],
    expect: {
      resource: edit(
        baseUser,
        (r) =>
          (r.emails = [
            { value: 'a@x', type: 'work', primary: true },
            { value: 'b@x', type: 'home', primary: false },
          ]),
      ),
      changed: ['emails'],
    },
  },
  {
    name: 'filtered replace without a sub-attribute merges into the matching element',
    resource: edit(
      baseUser,
      (r) =>
        (r.emails = [
          { value: 'a@x', type: 'work' },
          { value: 'b@x', type: 'home', primary: true },
        ]),
    ),
    operations: [{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'c@x', primary: true } }],
    expect: {
      resource: edit(
        baseUser,
        (r) =>
          (r.emails = [
            { value: 'c@x', type: 'work', primary: true },
            { value: 'b@x', type: 'home', primary: false },
          ]),
      ),
      changed: ['emails'],
    },
  },
  {
    name: 'remove with a filter removes only the matching elements',
    resource: baseUser,
    operations: [{ op: 'remove', path: 'emails[type eq "home"]' }],
    expect: { resource: edit(baseUser, (r) => r.emails.splice(1, 1)), changed: ['emails'] },
  },
  {
    name: 'removing the last element of a multi-valued attribute removes the attribute',
    resource: edit(baseUser, (r) => (r.emails = [{ value: 'w@x', type: 'work' }])),
    operations: [{ op: 'remove', path: 'emails[type eq "work"]' }],
    expect: { resource: edit(baseUser, (r) => delete r.emails), changed: ['emails'] },
  },
  {
    name: 'remove of a whole multi-valued attribute',
    resource: baseUser,
    operations: [{ op: 'remove', path: 'emails' }],
    expect: { resource: edit(baseUser, (r) => delete r.emails), changed: ['emails'] },
  },
  {
    name: 'remove of a sub-attribute',
    resource: baseUser,
    operations: [{ op: 'remove', path: 'name.formatted' }],
    expect: { resource: edit(baseUser, (r) => delete r.name.formatted), changed: ['name'] },
  },
  {
    name: 'remove of an attribute that is not there is no change',
    resource: bareUser,
    operations: [
      { op: 'remove', path: 'title' },
      { op: 'remove', path: 'emails[type eq "work"]' },
      { op: 'remove', path: `${ENT}:manager` },
    ],
    expect: { resource: bareUser, changed: [] },
  },
  {
    name: 'operations apply in order',
    resource: baseUser,
    operations: [
      { op: 'replace', path: 'nickName', value: 'one' },
      { op: 'remove', path: 'nickName' },
      { op: 'add', path: 'nickName', value: 'two' },
    ],
    expect: { resource: edit(baseUser, (r) => (r.nickName = 'two')), changed: ['nickName'] },
  },
  {
    name: 'a URN-qualified core path',
    resource: baseUser,
    operations: [{ op: 'replace', path: `${CORE_USER}:displayName`, value: 'Core' }],
    expect: { resource: edit(baseUser, (r) => (r.displayName = 'Core')), changed: ['displayName'] },
  },
];

export const userErrorCases: PatchErrorCase[] = [
  {
    name: 'remove without a path',
    resource: baseUser,
    operations: [{ op: 'remove' }],
    error: { scimType: 'noTarget' },
  },
  {
    name: 'remove of userName (required)',
    resource: baseUser,
    operations: [{ op: 'remove', path: 'userName' }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'replace of id',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'id', value: 'x' }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'replace of meta.created',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'meta.created', value: '2020-01-01T00:00:00Z' }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'add to groups (read-only)',
    resource: baseUser,
    operations: [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'replace of a read-only sub-attribute through a filtered path',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails[type eq "work"].display', value: 'x' }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'a value filter on an undeclared attribute',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'favouriteColour[type eq "x"].value', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'an unknown sub-attribute of a declared attribute',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name.nick', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'unknown sub-attribute path',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name.nick', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'unknown sub-attribute after a filter',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails[type eq "work"].colour', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'an unknown sub-attribute inside the filter, even when nothing is there to match',
    resource: bareUser,
    operations: [{ op: 'replace', path: 'emails[colour eq "blue"].value', value: 'x@y' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'a filter on a single-valued attribute',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'a syntactically broken path',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'active "yes"',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'active', value: 'yes' }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'an object for a string attribute',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'displayName', value: { x: 1 } }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'a string for a complex attribute without a "value"',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'name', value: 'Babs' }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'an array for a single-valued attribute',
    resource: baseUser,
    operations: [{ op: 'replace', path: 'title', value: ['a', 'b'] }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'no-path value that is not an object',
    resource: baseUser,
    operations: [{ op: 'replace', value: 'x' }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'whole extension with a non-object value',
    resource: baseUser,
    operations: [{ op: 'replace', path: ENT, value: 'x' }],
    error: { scimType: 'invalidValue' },
  },
  {
    name: 'no-path null for userName',
    resource: baseUser,
    operations: [{ op: 'replace', value: { userName: null } }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'a filter that cannot create an element (not eq)',
    resource: bareUser,
    operations: [{ op: 'replace', path: 'emails[type ne "work"].value', value: 'x@y' }],
    error: { scimType: 'noTarget' },
  },
];
