/**
 * Every user request shape Entra sends (entra-profile.md §2.1, §2.6), replayed through the gateway
 * against the demo app: the SCIM answer, and what reached the app.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENTERPRISE, entraUser, patchBody, startStack, type Stack } from '../helpers/stack.ts';

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

const q = (filter: string, extra = '') => `/Users?filter=${encodeURIComponent(filter)}${extra}`;
const appUser = (id: string) => {
  const record = stack.demo.store.listUsers().items.find((user) => user.id === Number(id));
  return record;
};
async function appIdOf(scimId: string): Promise<string> {
  return (await stack.idMap.get('demo', 'User', scimId))!.appId!;
}
async function create(userName: string, overrides: Record<string, unknown> = {}) {
  const reply = await stack.scim('POST', '/Users', entraUser(userName, overrides));
  expect(reply.status).toBe(201);
  return reply.body as { id: string } & Record<string, unknown>;
}

describe('Entra user provisioning against the demo app', () => {
  it('answers Test Connection (a random GUID userName) with 200 and an empty ListResponse', async () => {
    const reply = await stack.scim('GET', q(`userName eq "${randomUUID()}"`));
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(reply.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      Resources: [],
      startIndex: 1,
      itemsPerPage: 0,
    });
    // The miss was looked up in the app (it may hold users from before the gateway).
    expect(stack.demo.log.some((entry) => entry.path === '/api/users' && entry.query.user_name !== undefined)).toBe(
      true,
    );
  });

  it("creates a user from Entra's POST body and maps every default attribute into the app", async () => {
    const body = entraUser('Test_User_1@contoso.com', {
      active: 'True',
      displayName: 'Test User One',
      title: 'Engineer',
      preferredLanguage: 'en-US',
      name: { formatted: 'Test One', familyName: 'One', givenName: 'Test' },
      phoneNumbers: [
        { type: 'work', value: '55555555555' },
        { type: 'mobile', value: '+1 (555) 0100' },
        { type: 'fax', value: '555-0199' },
      ],
      addresses: [
        {
          type: 'work',
          formatted: 'Building 4',
          streetAddress: '1 Main St',
          locality: 'Redmond',
          region: 'WA',
          postalCode: '98052',
          country: 'US',
        },
      ],
      [ENTERPRISE]: { employeeNumber: '701984', department: 'R&D' },
    });
    const reply = await stack.scim('POST', '/Users', body);
    expect(reply.status).toBe(201);
    expect(reply.headers.get('location')).toBe(reply.body.meta.location);
    expect(reply.headers.get('etag')).toBe(reply.body.meta.version);
    expect(reply.body).toMatchObject({
      userName: 'Test_User_1@contoso.com',
      active: true,
      externalId: 'ext-Test_User_1@contoso.com',
      phoneNumbers: body.phoneNumbers,
      [ENTERPRISE]: { employeeNumber: '701984', department: 'R&D' },
      meta: { resourceType: 'User' },
    });
    expect(reply.body.meta.created).toBe(reply.body.meta.lastModified);
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const post = stack.demo.log.find((entry) => entry.method === 'POST' && entry.path === '/api/users');
    expect(post?.body).toMatchObject({
      user_name: 'Test_User_1@contoso.com',
      email: 'Test_User_1@contoso.com',
      first_name: 'Test',
      last_name: 'One',
      full_name: 'Test One',
      display_name: 'Test User One',
      job_title: 'Engineer',
      preferred_language: 'en-US',
      phone_work: '55555555555',
      phone_mobile: '+1 (555) 0100',
      fax: '555-0199',
      office: { street: '1 Main St', city: 'Redmond', region: 'WA', zip: '98052', country: 'US', label: 'Building 4' },
      external_ref: 'ext-Test_User_1@contoso.com',
      employee_no: '701984',
      department: 'R&D',
      status: 'active',
    });
  });

  it('tolerates the old documentation body: typo schema URN, explicit nulls, meta sent by the client', async () => {
    const reply = await stack.scim('POST', '/Users', {
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0User',
      ],
      externalId: 'jyoung',
      userName: 'jyoung@contoso.com',
      active: true,
      addresses: null,
      displayName: 'Joy Young',
      emails: [{ type: 'work', value: 'jyoung@contoso.com', primary: true }],
      meta: { resourceType: 'User', created: '1999-01-01T00:00:00Z' },
      name: { familyName: 'Young', givenName: 'Joy' },
      phoneNumbers: null,
      title: null,
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0User': { department: null, manager: null },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.meta.created).not.toBe('1999-01-01T00:00:00Z');
    expect(reply.body.title).toBeUndefined();
  });

  it('finds users by userName (any case), externalId (exact case) and work email', async () => {
    const user = await create('Match.Me@contoso.com', { externalId: 'AbC-123' });
    for (const filter of [
      'userName eq "match.me@CONTOSO.com"',
      'externalId eq "AbC-123"',
      'emails[type eq "work"].value eq "Match.Me@contoso.com"',
      'externalId eq AbC-123',
    ]) {
      const reply = await stack.scim('GET', q(filter));
      expect(reply.status, filter).toBe(200);
      expect(reply.body.totalResults, filter).toBe(1);
      expect(reply.body.Resources[0].id, filter).toBe(user.id);
    }
    expect((await stack.scim('GET', q('externalId eq "abc-123"'))).body.totalResults).toBe(0);
  });

  it('returns a user by id, and a disabled user too; an unknown id is 404 with a SCIM error', async () => {
    const user = await create('get.me@contoso.com');
    expect((await stack.scim('GET', `/Users/${user.id}`)).body.userName).toBe('get.me@contoso.com');
    const missing = await stack.scim('GET', `/Users/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404' });
    expect(missing.body.detail).toMatch(/request /);
  });

  it('disables with "False", re-enables with true, through the app\'s deactivate/activate calls', async () => {
    const user = await create('toggle@contoso.com');
    const appId = await appIdOf(user.id);
    const off = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect(off.status).toBe(204);
    expect(
      stack.demo.log.some((entry) => entry.method === 'POST' && entry.path === `/api/users/${appId}/deactivate`),
    ).toBe(true);
    expect(appUser(appId)?.status).toBe('inactive');
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.status).toBe(200);
    expect(read.body.active).toBe(false);
    await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'replace', path: 'active', value: true }));
    expect(appUser(appId)?.status).toBe('active');
  });

  it('applies the multi-valued filter path, single-valued and userName rename forms', async () => {
    const user = await create('rename.me@contoso.com');
    const appId = await appIdOf(user.id);
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody(
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
        { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
        { op: 'Replace', path: 'userName', value: 'renamed@contoso.com' },
      ),
    );
    expect(reply.status).toBe(204);
    expect(appUser(appId)).toMatchObject({
      email: 'updatedEmail@microsoft.com',
      last_name: 'updatedFamilyName',
      user_name: 'renamed@contoso.com',
    });
    const patch = stack.demo.log.find((entry) => entry.method === 'PATCH');
    expect(patch?.body).toEqual({
      email: 'updatedEmail@microsoft.com',
      last_name: 'updatedFamilyName',
      user_name: 'renamed@contoso.com',
    });
    expect((await stack.scim('GET', q('userName eq "renamed@contoso.com"'))).body.totalResults).toBe(1);
    expect((await stack.scim('GET', q('userName eq "rename.me@contoso.com"'))).body.totalResults).toBe(0);
  });

  it('applies a no-path replace whose keys are dotted and URN paths (aadOptscim062020)', async () => {
    const user = await create('nopath@contoso.com');
    const appId = await appIdOf(user.id);
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}?aadOptscim062020`,
      patchBody(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
          },
        },
      ),
    );
    expect(reply.status).toBe(204);
    expect(appUser(appId)).toMatchObject({
      display_name: 'Bjfe',
      first_name: 'Kkom',
      last_name: 'Unua',
      employee_no: 'Aklq',
      email: 'TestMhvaes@test.microsoft.com',
      full_name: 'givenName familyName',
    });
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body.name).toEqual({ formatted: 'givenName familyName', familyName: 'Unua', givenName: 'Kkom' });
    expect(read.body[ENTERPRISE]).toEqual({ employeeNumber: 'Aklq' });
  });

  it('applies the six one-attribute Replace operations Entra sends without aadOptscim062020', async () => {
    const user = await create('sixops@contoso.com');
    const appId = await appIdOf(user.id);
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody(
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
      ),
    );
    expect(reply.status).toBe(204);
    expect(appUser(appId)).toMatchObject({
      display_name: 'Pvlo',
      email: 'TestBcwqnm@test.microsoft.com',
      first_name: 'Gtfd',
      last_name: 'Pkqf',
      external_ref: 'Eqpj',
      employee_no: 'Eqpj',
    });
    expect(stack.demo.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(1);
    expect((await stack.scim('GET', q('externalId eq "Eqpj"'))).body.Resources[0].id).toBe(user.id);
  });

  it('keeps attributes the app cannot hold (nickName) and reads them back, sending the app nothing', async () => {
    const user = await create('nick@contoso.com');
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({ op: 'Add', path: 'nickName', value: 'Babs' }),
    );
    expect(reply.status).toBe(204);
    // Nothing the demo app maps changed, so nothing was sent to it.
    expect(stack.demo.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(0);
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body.nickName).toBe('Babs');
  });

  it('creates a work address on a filtered replace when the user has none, and returns 200 when attributes are asked for', async () => {
    const user = await create('address@contoso.com');
    const appId = await appIdOf(user.id);
    const reply = await stack.scim(
      'PATCH',
      `/Users/${user.id}?attributes=addresses`,
      patchBody({ op: 'Replace', path: 'addresses[type eq "work"].formatted', value: '1111 Street Rd' }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.addresses).toEqual([{ type: 'work', formatted: '1111 Street Rd' }]);
    expect(Object.keys(reply.body).sort()).toEqual(['addresses', 'id', 'schemas']);
    expect(appUser(appId)?.office).toMatchObject({ label: '1111 Street Rd' });
  });

  it('sets, changes and clears the manager in every form Entra uses, as app ids in the app', async () => {
    const boss = await create('boss@contoso.com');
    const other = await create('other.boss@contoso.com');
    const user = await create('report@contoso.com');
    const appId = await appIdOf(user.id);
    await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({ op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id }),
    );
    expect(appUser(appId)?.manager_id).toBe(Number(await appIdOf(boss.id)));
    let read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body[ENTERPRISE].manager).toEqual({ value: boss.id });
    // Reference check (older docs): is boss the manager?
    const check = await stack.scim('GET', `${q(`id eq ${user.id} and manager eq ${boss.id}`)}&attributes=id`);
    expect(check.body.totalResults).toBe(1);
    expect(Object.keys(check.body.Resources[0]).sort()).toEqual(['id', 'schemas']);
    expect((await stack.scim('GET', q(`id eq "${user.id}" and manager eq "${other.id}"`))).body.totalResults).toBe(0);
    await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({ op: 'Add', path: 'manager', value: [{ $ref: `${stack.base}/Users/${other.id}`, value: other.id }] }),
    );
    expect(appUser(appId)?.manager_id).toBe(Number(await appIdOf(other.id)));
    await stack.scim(
      'PATCH',
      `/Users/${user.id}`,
      patchBody({ op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }),
    );
    expect(appUser(appId)?.manager_id).toBeNull();
    read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body[ENTERPRISE]?.manager).toBeUndefined();
  });

  it('reads back exactly what Entra wrote although the app stores less (no perpetual diffs)', async () => {
    const body = entraUser('echo@contoso.com', {
      nickName: 'Babs',
      emails: [
        { primary: true, type: 'work', value: 'Echo@Contoso.com' },
        { type: 'other', value: 'echo.alias@contoso.com' },
      ],
    });
    const created = await stack.scim('POST', '/Users', body);
    const read = await stack.scim('GET', `/Users/${created.body.id}`);
    expect(read.body.nickName).toBe('Babs');
    expect(read.body.emails).toEqual(body.emails);
    expect(read.body.roles).toBeUndefined();
    // A GET without changes in between keeps the same version.
    expect((await stack.scim('GET', `/Users/${created.body.id}`)).body.meta.version).toBe(read.body.meta.version);
  });

  it('shows a change made in the app behind the gateway, so Entra can correct it', async () => {
    const user = await create('drift@contoso.com', { title: 'Engineer' });
    const appId = await appIdOf(user.id);
    stack.demo.store.updateUser(Number(appId), { job_title: 'Changed in app' });
    const read = await stack.scim('GET', `/Users/${user.id}`);
    expect(read.body.title).toBe('Changed in app');
    await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'Replace', path: 'title', value: 'Engineer' }));
    expect(appUser(appId)?.job_title).toBe('Engineer');
  });

  it('rejects a duplicate userName with 409 uniqueness', async () => {
    await create('dup@contoso.com');
    const reply = await stack.scim('POST', '/Users', entraUser('DUP@contoso.com', { externalId: 'someone-else' }));
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
  });

  it('adopts a user that already exists in the app when Entra matches it by query', async () => {
    const existing = stack.demo.store.createUser({
      user_name: 'preexisting@contoso.com',
      email: 'preexisting@contoso.com',
      first_name: 'Pre',
    });
    const reply = await stack.scim('GET', q('userName eq "preexisting@contoso.com"'));
    expect(reply.body.totalResults).toBe(1);
    const id = reply.body.Resources[0].id as string;
    expect(await appIdOf(id)).toBe(String(existing.id));
    expect((await stack.scim('GET', q('userName eq "preexisting@contoso.com"'))).body.Resources[0].id).toBe(id);
  });

  it('deletes a user: 204, then 404, gone from queries and from the app; a second delete is 404', async () => {
    const user = await create('delete.me@contoso.com');
    const appId = await appIdOf(user.id);
    expect((await stack.scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await stack.scim('GET', `/Users/${user.id}`)).status).toBe(404);
    expect((await stack.scim('GET', q('userName eq "delete.me@contoso.com"'))).body.totalResults).toBe(0);
    expect(appUser(appId)).toBeUndefined();
    expect((await stack.scim('DELETE', `/Users/${user.id}`)).status).toBe(404);
    expect((await stack.scim('POST', '/Users', entraUser('delete.me@contoso.com'))).status).toBe(201);
  });

  it("pages through users as Microsoft's pagination test does (count=5)", async () => {
    for (let i = 0; i < 11; i++) await create(`page${String(i).padStart(2, '0')}@contoso.com`);
    const total = (await stack.scim('GET', '/Users?count=0')).body.totalResults as number;
    expect(total).toBeGreaterThanOrEqual(11);
    const seen = new Set<string>();
    for (let page = 0; page * 5 < total; page++) {
      const reply = await stack.scim('GET', `/Users?startIndex=${page * 5 + 1}&count=5`);
      expect(reply.status).toBe(200);
      expect(reply.body.startIndex).toBe(page * 5 + 1);
      expect(reply.body.totalResults).toBe(total);
      for (const resource of reply.body.Resources) seen.add(resource.id);
    }
    expect(seen.size).toBe(total);
    const sorted = await stack.scim(
      'GET',
      '/Users?filter=userName%20sw%20%22page%22&sortBy=userName&sortOrder=descending&count=3',
    );
    expect(sorted.body.Resources.map((r: { userName: string }) => r.userName)).toEqual([
      'page10@contoso.com',
      'page09@contoso.com',
      'page08@contoso.com',
    ]);
    const searched = await stack.scim('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName sw "page0"',
      count: 2,
      attributes: ['userName'],
    });
    expect(searched.body.totalResults).toBe(10);
    expect(searched.body.Resources).toHaveLength(2);
  });

  it('answers If-Match with 412 when stale and If-None-Match with 304 when current', async () => {
    const user = await create('etag@contoso.com');
    const read = await stack.scim('GET', `/Users/${user.id}`);
    const etag = read.headers.get('etag')!;
    expect((await stack.scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': etag })).status).toBe(304);
    expect(
      (
        await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), {
          'if-match': 'W/"stale"',
        })
      ).status,
    ).toBe(412);
    expect(
      (
        await stack.scim('PATCH', `/Users/${user.id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), {
          'if-match': etag,
        })
      ).status,
    ).toBe(204);
  });
});
