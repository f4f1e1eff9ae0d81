import { describe, expect, it } from 'vitest';
import { parseAttributeList, projectResource, type Projection } from '../../../src/scim/resource/project.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import type { ResourceTypeDef, ScimResource } from '../../../src/scim/schema/types.ts';
import { CORE_GROUP, CORE_USER, edit, ENT } from '../patch/helpers.ts';

const user: ScimResource = {
  schemas: [CORE_USER, ENT],
  id: 'u1',
  externalId: 'e1',
  userName: 'bjensen',
  password: 'secret',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  displayName: 'Babs',
  emails: [
    { value: 'w@x', type: 'work', primary: true },
    { value: 'h@x', type: 'home' },
  ],
  meta: { resourceType: 'User', created: '2020-01-01T00:00:00Z', location: 'https://x/Users/u1' },
  [ENT]: { employeeNumber: '7', department: 'D', manager: { value: 'm1', $ref: 'https://x/Users/m1' } },
};

const group: ScimResource = {
  schemas: [CORE_GROUP],
  id: 'g1',
  displayName: 'G',
  members: [{ value: 'u1', display: 'Babs' }],
  meta: { resourceType: 'Group' },
};

const withoutPassword = edit(user, (r) => delete r.password);

const cases: {
  name: string;
  type?: ResourceTypeDef;
  resource?: ScimResource;
  projection: Projection;
  expect: ScimResource;
}[] = [
  { name: 'no projection returns everything but password', projection: {}, expect: withoutPassword },
  {
    name: 'attributes=userName',
    projection: { attributes: ['userName'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], userName: 'bjensen' },
  },
  {
    name: 'attribute names in any case',
    projection: { attributes: ['USERNAME', 'DisplayName'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], userName: 'bjensen', displayName: 'Babs' },
  },
  {
    name: 'attributes=name.givenName',
    projection: { attributes: ['name.givenName'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], name: { givenName: 'Barbara' } },
  },
  {
    name: 'two sub-attributes of the same attribute',
    projection: { attributes: ['name.givenName', 'name.familyName'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], name: { givenName: 'Barbara', familyName: 'Jensen' } },
  },
  {
    name: 'attributes=emails[type eq "work"] returns the whole emails (filter ignored)',
    projection: { attributes: ['emails[type eq "work"]'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], emails: user.emails },
  },
  {
    name: 'attributes=emails.value',
    projection: { attributes: ['emails.value'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], emails: [{ value: 'w@x' }, { value: 'h@x' }] },
  },
  {
    name: 'a URN-qualified extension attribute',
    projection: { attributes: [`${ENT}:employeeNumber`] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], [ENT]: { employeeNumber: '7' } },
  },
  {
    name: 'a URN-qualified extension sub-attribute',
    projection: { attributes: [`${ENT}:manager.value`] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], [ENT]: { manager: { value: 'm1' } } },
  },
  {
    name: 'a URN-qualified core attribute',
    projection: { attributes: [`${CORE_USER}:userName`] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], userName: 'bjensen' },
  },
  {
    name: 'the whole extension',
    projection: { attributes: [ENT] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], [ENT]: user[ENT] },
  },
  {
    name: 'attributes that are not there are not invented',
    projection: { attributes: ['title', `${ENT}:costCenter`] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT] },
  },
  {
    name: 'only unknown attributes: just id and schemas, not everything',
    projection: { attributes: ['favouriteColour'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT] },
  },
  {
    name: 'attributes=password still never returns it',
    projection: { attributes: ['password'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT] },
  },
  {
    name: 'attributes wins over excludedAttributes',
    projection: { attributes: ['userName'], excludedAttributes: ['userName'] },
    expect: { id: 'u1', schemas: [CORE_USER, ENT], userName: 'bjensen' },
  },
  {
    name: 'excludedAttributes of a core attribute',
    projection: { excludedAttributes: ['emails', 'Name'] },
    expect: edit(withoutPassword, (r) => {
      delete r.emails;
      delete r.name;
    }),
  },
  {
    name: 'excludedAttributes of a sub-attribute',
    projection: { excludedAttributes: ['name.givenName'] },
    expect: edit(withoutPassword, (r) => delete r.name.givenName),
  },
  {
    name: 'excludedAttributes of a multi-valued sub-attribute',
    projection: { excludedAttributes: ['emails.primary'] },
    expect: edit(withoutPassword, (r) => delete r.emails[0].primary),
  },
  {
    name: 'excludedAttributes of an extension attribute',
    projection: { excludedAttributes: [`${ENT}:manager`] },
    expect: edit(withoutPassword, (r) => delete r[ENT].manager),
  },
  {
    name: 'excludedAttributes of an extension attribute by its bare name',
    projection: { excludedAttributes: ['department'] },
    expect: edit(withoutPassword, (r) => delete r[ENT].department),
  },
  {
    name: 'excludedAttributes of the whole extension',
    projection: { excludedAttributes: [ENT] },
    expect: edit(withoutPassword, (r) => delete r[ENT]),
  },
  {
    name: 'excluding every extension attribute drops the emptied extension object',
    projection: { excludedAttributes: [`${ENT}:employeeNumber`, `${ENT}:department`, `${ENT}:manager`] },
    expect: edit(withoutPassword, (r) => delete r[ENT]),
  },
  {
    name: 'excluding every sub-attribute drops the emptied attribute',
    projection: { excludedAttributes: ['name.givenName', 'name.familyName'] },
    expect: edit(withoutPassword, (r) => delete r.name),
  },
  {
    name: 'id and schemas cannot be excluded',
    projection: { excludedAttributes: ['id', 'schemas'] },
    expect: withoutPassword,
  },
  {
    name: 'unknown excluded attributes are ignored',
    projection: { excludedAttributes: ['favouriteColour'] },
    expect: withoutPassword,
  },
  {
    name: 'excludedAttributes=members on a Group',
    type: resourceTypes.Group,
    resource: group,
    projection: { excludedAttributes: ['members'] },
    expect: edit(group, (g) => delete g.members),
  },
  {
    name: 'attributes=members.value on a Group',
    type: resourceTypes.Group,
    resource: group,
    projection: { attributes: ['members.value'] },
    expect: { id: 'g1', schemas: [CORE_GROUP], members: [{ value: 'u1' }] },
  },
];

describe('projectResource', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const resource = c.resource ?? user;
    const before = structuredClone(resource);
    expect(projectResource(c.type ?? resourceTypes.User, resource, c.projection)).toStrictEqual(c.expect);
    expect(resource).toStrictEqual(before);
  });
});

describe('projectResource never writes into the resource it projects', () => {
  it('the whole extension and one of its sub-attributes', () => {
    const resource = structuredClone(user);
    const extension = resource[ENT] as Record<string, unknown>;
    const manager = extension.manager;
    const out = projectResource(resourceTypes.User, resource, { attributes: [ENT, `${ENT}:manager.value`] });
    expect(out[ENT]).toStrictEqual(user[ENT]);
    expect(extension.manager).toBe(manager);
    expect(resource).toStrictEqual(user);
  });
});

describe('parseAttributeList', () => {
  const table: [unknown, string[] | undefined][] = [
    [undefined, undefined],
    [null, undefined],
    ['', undefined],
    [' , ', undefined],
    ['userName', ['userName']],
    ['userName, name.givenName ,emails', ['userName', 'name.givenName', 'emails']],
    [
      ['userName', 'displayName,title'],
      ['userName', 'displayName', 'title'],
    ],
    ['emails[type eq "work"],userName', ['emails[type eq "work"]', 'userName']],
  ];
  it.each(table)('parseAttributeList(%j)', (value, expected) => {
    expect(parseAttributeList(value)).toEqual(expected);
  });
});
