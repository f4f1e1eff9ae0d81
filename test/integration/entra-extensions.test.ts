/**
 * What Entra admins add on day one (entra-profile.md §2.6 roles, §2.7 custom extension attributes),
 * replayed against the demo app: custom extension attributes (one declared for the app and mapped to a
 * demo-app custom field, one nobody declared), roles in all four of Entra's forms, unmapped attributes
 * mixed with mapped ones, and group members named by their URN. Each test checks the SCIM answer and
 * what reached the app.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.ts';
import { entraUser, patchBody, startStack, type Stack } from '../helpers/stack.ts';

const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const UNDECLARED = 'urn:ietf:params:scim:schemas:extension:Undeclared:2.0:User';
const ADMIN_TOKEN = 'admin-token-0123456789';

let stack: Stack;
const logLines: Record<string, unknown>[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  stack = await startStack({
    adminToken: ADMIN_TOKEN,
    logger: createLogger({ level: 'info', destination: sink }),
    demoApp: {
      schemaExtensions: {
        User: [
          {
            id: CUSTOM,
            attributes: [
              {
                name: 'CustomAttribute',
                type: 'string',
                multiValued: false,
                description: 'Cost code',
                required: false,
                caseExact: false,
                mutability: 'readWrite',
                returned: 'default',
                uniqueness: 'none',
              },
            ],
          },
        ],
      },
      customFields: { User: { [`${CUSTOM}:CustomAttribute`]: 'cost_code' } },
    },
  });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.demo.log.length = 0;
});

async function appUser(scimId: string) {
  const appId = (await stack.idMap.get('demo', 'User', scimId))!.appId!;
  return stack.demo.store.getUser(Number(appId))!;
}

async function create(userName: string, overrides: Record<string, unknown> = {}) {
  const reply = await stack.scim('POST', '/Users', entraUser(userName, overrides));
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return reply.body as { id: string } & Record<string, unknown>;
}

describe('custom extension attributes', () => {
  it("POST: the declared one reaches the app's custom field, the undeclared one is kept; both read back", async () => {
    // Entra does not list the custom URN in "schemas" (entra-profile.md §2.7).
    const user = await create('ext.post@contoso.com', {
      [`${CUSTOM}:CustomAttribute`]: 'CC-1',
      [`${UNDECLARED}:Badge`]: 'B-1',
    });
    expect(user[CUSTOM]).toEqual({ CustomAttribute: 'CC-1' });
    expect(user[UNDECLARED]).toEqual({ Badge: 'B-1' });
    expect(user.schemas).toEqual(expect.arrayContaining([CUSTOM, UNDECLARED]));
    expect((await appUser(user.id)).custom_fields).toEqual({ cost_code: 'CC-1' });
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body[CUSTOM]).toEqual({ CustomAttribute: 'CC-1' });
    expect(read.body[UNDECLARED]).toEqual({ Badge: 'B-1' });
  });

  it('PATCH by path: both apply together with a mapped attribute in the same request (no invalidPath)', async () => {
    const user = await create('ext.path@contoso.com');
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody(
        { op: 'Replace', path: 'displayName', value: 'Path Person' },
        { op: 'Add', path: `${CUSTOM}:CustomAttribute`, value: 'CC-2' },
        { op: 'Add', path: `${UNDECLARED}:Badge`, value: 'B-2' },
      ),
    );
    expect(reply.status).toBe(204);
    const app = await appUser(user.id);
    expect(app.display_name).toBe('Path Person');
    expect(app.custom_fields).toEqual({ cost_code: 'CC-2' });
    const patches = stack.demo.log.filter((entry) => entry.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]!.body).toEqual({ display_name: 'Path Person', custom_fields: { cost_code: 'CC-2' } });
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body[UNDECLARED]).toEqual({ Badge: 'B-2' });
  });

  it('PATCH without path (aadOptscim062020): URN keys of both apply; clearing one sends null', async () => {
    const user = await create('ext.nopath@contoso.com', { [`${CUSTOM}:CustomAttribute`]: 'CC-0' });
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({
        op: 'replace',
        value: { displayName: 'No Path', [`${CUSTOM}:CustomAttribute`]: 'CC-3', [`${UNDECLARED}:Badge`]: 'B-3' },
      }),
    );
    expect(reply.status).toBe(204);
    expect((await appUser(user.id)).custom_fields).toEqual({ cost_code: 'CC-3' });
    stack.demo.log.length = 0;
    expect(
      (await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'remove', path: `${CUSTOM}:CustomAttribute` })))
        .status,
    ).toBe(204);
    expect(stack.demo.log.find((entry) => entry.method === 'PATCH')?.body).toEqual({
      custom_fields: { cost_code: null },
    });
    expect((await appUser(user.id)).custom_fields).toEqual({});
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body[CUSTOM]).toBeUndefined();
    expect(read.body[UNDECLARED]).toEqual({ Badge: 'B-3' });
  });

  it('filters on either attribute find the user (Entra may match on a custom attribute)', async () => {
    const user = await create('ext.filter@contoso.com', {
      [`${CUSTOM}:CustomAttribute`]: 'CC-FIND',
      [`${UNDECLARED}:Badge`]: 'B-FIND',
    });
    for (const filter of [`${CUSTOM}:CustomAttribute eq "cc-find"`, `${UNDECLARED}:Badge eq "B-FIND"`]) {
      const reply = await stack.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(reply.status, filter).toBe(200);
      expect(
        reply.body.Resources.map((r: { id: string }) => r.id),
        filter,
      ).toEqual([user.id]);
    }
    const miss = await stack.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`${CUSTOM}:CustomAttribute eq "nobody"`)}`,
    );
    expect(miss.body.totalResults).toBe(0);
  });

  it('advertises the declared extension in /Schemas and /ResourceTypes, not the undeclared one', async () => {
    const schemas = await stack.scim('GET', '/Schemas');
    const ids = schemas.body.Resources.map((schema: { id: string }) => schema.id);
    expect(ids).toContain(CUSTOM);
    expect(ids).not.toContain(UNDECLARED);
    const custom = schemas.body.Resources.find((schema: { id: string }) => schema.id === CUSTOM);
    expect(custom).toMatchObject({
      name: 'CustomExtensionName',
      attributes: [{ name: 'CustomAttribute', type: 'string', multiValued: false, mutability: 'readWrite' }],
    });
    const user = (await stack.scim('GET', '/Schemas')).body.Resources.find((schema: { id: string }) =>
      schema.id.endsWith('core:2.0:User'),
    );
    expect(user.attributes.map((attribute: { name: string }) => attribute.name)).toContain('roles');
    const types = await stack.scim('GET', '/ResourceTypes/User');
    expect(types.body.schemaExtensions).toEqual([
      { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false },
      { schema: CUSTOM, required: false },
    ]);
  });
});

describe('app roles, in every form Entra sends', () => {
  it('POST (SingleAppRoleAssignment and AppRoleAssignmentsComplex forms) reaches the app as role names', async () => {
    const user = await create('roles.post@contoso.com', {
      roles: [
        { primary: 'True', type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', displayName: 'User', value: 'User' },
      ],
    });
    expect(user.roles).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'User', value: 'User' },
    ]);
    expect((await appUser(user.id)).roles).toEqual(['Admin', 'User']);
  });

  it('AppRoleAssignmentsComplex PATCH (JSON strings) adds, SingleAppRoleAssignment PATCH sets the primary, and both read back as objects', async () => {
    const user = await create('roles.patch@contoso.com');
    const role = (value: string, display: string) => ({
      value: JSON.stringify({ id: `id-${value}`, value, displayName: display }),
    });
    expect(
      (
        await stack.scim(
          'PATCH',
          `/Users/${user.id}`,
          patchBody({ op: 'Add', path: 'roles', value: [role('Reader', 'Reader'), role('Writer', 'Writer')] }),
        )
      ).status,
    ).toBe(204);
    expect((await appUser(user.id)).roles).toEqual(['Reader', 'Writer']);
    const single = patchBody(
      { op: 'Replace', path: 'roles[primary eq "True"].value', value: 'Owner' },
      { op: 'Replace', path: 'roles[primary eq "True"].display', value: 'The Owner' },
    );
    expect((await stack.scim('PATCH', `/Users/${user.id}`, single)).status).toBe(204);
    expect((await appUser(user.id)).roles).toEqual(['Reader', 'Writer', 'Owner']);
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body.roles).toEqual([
      { value: 'Reader', display: 'Reader' },
      { value: 'Writer', display: 'Writer' },
      { primary: true, value: 'Owner', display: 'The Owner' },
    ]);
  });

  it('AssertiveAppRoleAssignmentsComplex replaces the list; removes work in both dialects', async () => {
    const user = await create('roles.assert@contoso.com', { roles: [{ value: 'A' }, { value: 'B' }, { value: 'C' }] });
    const replace = patchBody({
      op: 'replace',
      path: 'roles',
      value: [
        { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'B', value: 'B' },
        { value: 'C' },
        { value: 'D' },
      ],
    });
    expect((await stack.scim('PATCH', `/Users/${user.id}`, replace)).status).toBe(204);
    expect((await appUser(user.id)).roles).toEqual(['B', 'C', 'D']);
    expect(
      (
        await stack.scim(
          'PATCH',
          `/Users/${user.id}`,
          patchBody({ op: 'Remove', path: 'roles', value: [{ value: '{"id":"x","value":"B","displayName":"B"}' }] }),
        )
      ).status,
    ).toBe(204);
    expect(
      (await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'remove', path: 'roles[value eq "C"]' }))).status,
    ).toBe(204);
    expect((await appUser(user.id)).roles).toEqual(['D']);
  });
});

describe('attributes the app does not hold', () => {
  it('applies mapped and unmapped attributes of one PATCH together, keeps the unmapped ones, and reports each name once', async () => {
    const user = await create('unmapped@contoso.com');
    const body = patchBody(
      { op: 'Replace', path: 'title', value: 'Chief' },
      { op: 'Add', path: 'nickName', value: 'Babs' },
      { op: 'Add', path: 'userType', value: 'Employee' },
      { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter', value: '4130' },
    );
    expect((await stack.scim('PATCH', `/Users/${user.id}`, body)).status).toBe(204);
    expect((await appUser(user.id)).job_title).toBe('Chief');
    expect(stack.demo.log.find((entry) => entry.method === 'PATCH')?.body).toEqual({ job_title: 'Chief' });
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body).toMatchObject({
      title: 'Chief',
      nickName: 'Babs',
      userType: 'Employee',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { costCenter: '4130' },
    });
    // Again, for another user: still one warning per name.
    await create('unmapped2@contoso.com', { nickName: 'Other', userType: 'Guest' });
    const warnings = logLines.filter((line) => line.attribute !== undefined);
    const names = warnings.map((line) => line.attribute);
    for (const name of [
      'nickName',
      'userType',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter',
    ]) {
      expect(
        names.filter((seen) => seen === name),
        name,
      ).toHaveLength(1);
    }
    expect(names).not.toContain(`${CUSTOM}:CustomAttribute`); // mapped to a custom field
    expect(names).not.toContain('title');
    // Names only: no value ever reaches the log. Values are matched as whole tokens: request and SCIM ids are
    // random hex, and one of them holding "4130" by chance is not a leak.
    expect(JSON.stringify(logLines)).not.toMatch(/(?<![\w-])(Babs|Employee|4130|B-1)(?![\w-])/);
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    // At least the three names of this test (others may have added theirs).
    expect(metrics).toMatch(/scimgw_unmapped_attributes\{app="demo",resource="User"\} ([3-9]|\d\d)/);
    const status = (await (
      await fetch(`${stack.gateway.url}/admin/status.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as { apps: { id: string; unmappedAttributes: { User: string[] } }[] };
    const demo = status.apps.find((app) => app.id === 'demo')!;
    expect(demo.unmappedAttributes.User).toEqual(expect.arrayContaining(['nickName', 'userType']));
  });
});

describe('group members named by their URN', () => {
  it('a no-path PATCH keyed urn:…:core:2.0:Group:members adds in the app, as "members" does', async () => {
    const [a, b] = [await create('urn.a@contoso.com'), await create('urn.b@contoso.com')];
    const group = await stack.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'URN members',
    });
    const teamId = Number((await stack.idMap.get('demo', 'Group', group.body.id))!.appId);
    const reply = await stack.scim(
      'PATCH',
      `/Groups/${group.body.id}`,
      patchBody({
        op: 'add',
        value: { 'urn:ietf:params:scim:schemas:core:2.0:Group:members': [{ value: a.id }, { value: b.id }] },
      }),
    );
    expect(reply.status).toBe(204);
    expect(
      stack.demo.store
        .listMembers(teamId)
        .items.map((member) => member.user_id)
        .sort(),
    ).toEqual(
      [
        Number((await stack.idMap.get('demo', 'User', a.id))!.appId),
        Number((await stack.idMap.get('demo', 'User', b.id))!.appId),
      ].sort(),
    );
    const remove = patchBody({
      op: 'remove',
      path: `urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq "${a.id}"]`,
    });
    expect((await stack.scim('PATCH', `/Groups/${group.body.id}`, remove)).status).toBe(204);
    expect(stack.demo.store.listMembers(teamId).items).toHaveLength(1);
  });

  it('logs unknown member ids with the group, records none of them, and still answers 204', async () => {
    const group = await stack.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Unknown members',
    });
    const reply = await stack.scim(
      'PATCH',
      `/Groups/${group.body.id}`,
      patchBody({ op: 'Add', path: 'members', value: [{ value: 'no-such-user-1' }, { value: 'no-such-user-2' }] }),
    );
    expect(reply.status).toBe(204);
    expect(stack.demo.log.filter((entry) => entry.path.includes('/members'))).toHaveLength(0);
    const warning = logLines.find((line) => line.group === group.body.id);
    expect(warning).toMatchObject({ members: ['no-such-user-1', 'no-such-user-2'], count: 2 });
    const read = await stack.scim('GET', `/Groups/${group.body.id}`);
    expect(read.body.members).toBeUndefined();
  });
});
