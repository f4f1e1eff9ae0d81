/** Every group request shape Entra sends (entra-profile.md §2.2), through the gateway into the demo app. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { entraUser, patchBody, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.demo.log.length = 0;
});

const GROUP_SCHEMAS = [
  'urn:ietf:params:scim:schemas:core:2.0:Group',
  'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
];

async function user(name: string): Promise<{ id: string; appId: number }> {
  const reply = await stack.scim('POST', '/Users', entraUser(name));
  expect(reply.status).toBe(201);
  return { id: reply.body.id, appId: Number((await stack.idMap.get('demo', 'User', reply.body.id))!.appId) };
}

async function group(displayName: string): Promise<{ id: string; appId: number }> {
  const reply = await stack.scim('POST', '/Groups', {
    schemas: GROUP_SCHEMAS,
    externalId: `ext-${displayName}`,
    displayName,
    meta: { resourceType: 'Group' },
  });
  expect(reply.status).toBe(201);
  return { id: reply.body.id, appId: Number((await stack.idMap.get('demo', 'Group', reply.body.id))!.appId) };
}

const memberIds = (teamId: number) =>
  stack.demo.store
    .listMembers(teamId)
    .items.map((member) => member.user_id)
    .sort((a, b) => a - b);

describe('Entra group provisioning against the demo app', () => {
  it('probes groups with excludedAttributes=members and gets an empty list', async () => {
    const reply = await stack.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "no such group"')}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.totalResults).toBe(0);
  });

  it("creates a group without members (Microsoft's extra schema URI accepted) and finds it by displayName", async () => {
    const created = await stack.scim('POST', '/Groups', {
      schemas: GROUP_SCHEMAS,
      externalId: '8aa1a0c0',
      displayName: 'Sales',
      meta: { resourceType: 'Group' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: 'Sales',
      externalId: '8aa1a0c0',
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    });
    expect(stack.demo.store.listTeams({ name: 'Sales' }).items[0]).toMatchObject({
      name: 'Sales',
      external_ref: '8aa1a0c0',
    });
    const found = await stack.scim(
      'GET',
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "sales"')}`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].members).toBeUndefined();
    const byId = await stack.scim('GET', `/Groups/${created.body.id}?excludedAttributes=members`);
    expect(byId.status).toBe(200);
    expect(byId.body.members).toBeUndefined();
    // excludedAttributes=members spares the app the member listing.
    expect(stack.demo.log.some((entry) => entry.path.endsWith('/members'))).toBe(false);
    expect((await stack.scim('POST', '/Groups', { schemas: GROUP_SCHEMAS, displayName: 'SALES' })).status).toBe(409);
  });

  it('renames with 204', async () => {
    const g = await group('Rename Me');
    const reply = await stack.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchBody({ op: 'Replace', path: 'displayName', value: '1879db59-updatedDisplayName' }),
    );
    expect(reply.status).toBe(204);
    expect(stack.demo.store.getTeam(g.appId)?.name).toBe('1879db59-updatedDisplayName');
  });

  it('adds several members in one PATCH ($ref null), idempotently, in one bulk call', async () => {
    const [a, b, c] = [await user('ga@contoso.com'), await user('gb@contoso.com'), await user('gc@contoso.com')];
    const g = await group('Adders');
    stack.demo.log.length = 0;
    const add = patchBody({ op: 'Add', path: 'members', value: [a, b, c].map((u) => ({ $ref: null, value: u.id })) });
    expect((await stack.scim('PATCH', `/Groups/${g.id}`, add)).status).toBe(204);
    expect(memberIds(g.appId)).toEqual([a.appId, b.appId, c.appId]);
    expect(stack.demo.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      `POST /api/teams/${g.appId}/members`,
    ]);
    expect(stack.demo.log[0]?.body).toEqual({ user_ids: [a, b, c].map((u) => Number(u.appId)) });
    expect((await stack.scim('PATCH', `/Groups/${g.id}`, add)).status).toBe(204);
    expect(memberIds(g.appId)).toEqual([a.appId, b.appId, c.appId]);
    const read = await stack.scim('GET', `/Groups/${g.id}`);
    expect(read.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a.id, b.id, c.id].sort());
    // Entra's membership check.
    const check = await stack.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent(`id eq "${g.id}" and members eq "${b.id}"`)}&attributes=id`,
    );
    expect(check.body.totalResults).toBe(1);
  });

  it("removes only the listed members for Entra's Remove with a value array, and by filter path", async () => {
    const [a, b, c] = [await user('ra@contoso.com'), await user('rb@contoso.com'), await user('rc@contoso.com')];
    const g = await group('Removers');
    await stack.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patchBody({ op: 'Add', path: 'members', value: [a, b, c].map((u) => ({ value: u.id })) }),
    );
    expect(
      (
        await stack.scim(
          'PATCH',
          `/Groups/${g.id}`,
          patchBody({ op: 'Remove', path: 'members', value: [{ $ref: null, value: a.id }] }),
        )
      ).status,
    ).toBe(204);
    expect(memberIds(g.appId)).toEqual([b.appId, c.appId]);
    expect(
      (await stack.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[value eq "${b.id}"]` })))
        .status,
    ).toBe(204);
    expect(memberIds(g.appId)).toEqual([c.appId]);
    // Removing someone who is not a member changes nothing and succeeds.
    expect(
      (await stack.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: `members[value eq "${a.id}"]` })))
        .status,
    ).toBe(204);
    expect((await stack.scim('PATCH', `/Groups/${g.id}`, patchBody({ op: 'remove', path: 'members' }))).status).toBe(
      204,
    );
    expect(memberIds(g.appId)).toEqual([]);
  });

  it('deletes a group: 204, then 404, and the team is gone from the app', async () => {
    const g = await group('Short Lived');
    expect((await stack.scim('DELETE', `/Groups/${g.id}`)).status).toBe(204);
    expect((await stack.scim('GET', `/Groups/${g.id}`)).status).toBe(404);
    expect(stack.demo.store.getTeam(g.appId)).toBeUndefined();
  });

  it('computes /Schemas, /ResourceTypes and /ServiceProviderConfig from the connector', async () => {
    const schemas = await stack.scim('GET', '/Schemas');
    const ids = schemas.body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      'urn:ietf:params:scim:schemas:core:2.0:Group',
    ]);
    const user = schemas.body.Resources[0];
    expect(user.description).toBe('User Account');
    const names = user.attributes.map((a: { name: string }) => a.name);
    expect(names).toContain('emails');
    expect(names).not.toContain('nickName');
    expect(JSON.stringify(schemas.body)).not.toContain('null');
    const types = await stack.scim('GET', '/ResourceTypes');
    expect(types.body.Resources[0]).toMatchObject({
      id: 'User',
      endpoint: '/Users',
      schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
    });
    const config = await stack.scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true },
      etag: { supported: true },
    });
  });
});
