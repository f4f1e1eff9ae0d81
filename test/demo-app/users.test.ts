import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type Running } from './helpers.ts';

let t: Running;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.app.close());
beforeEach(() => t.app.reset());

const FULL = {
  user_name: 'ada.lovelace',
  email: 'not-an-email',
  first_name: 'Ada',
  last_name: 'Lovelace',
  full_name: 'Ada King, Countess of Lovelace',
  display_name: 'Ada',
  job_title: 'Analyst',
  preferred_language: 'en-GB',
  phone_work: '+44 20 0000 0000',
  phone_mobile: '+44 7000 000000',
  fax: '+44 20 0000 0001',
  office: { street: '1 Main St', city: 'London', region: 'LDN', zip: 'N1', country: 'GB', label: '1 Main St\nLondon' },
  external_ref: 'ext-1',
  employee_no: 'E001',
  department: 'R&D',
  status: 'inactive',
  roles: ['Admin', 'Reader'],
  custom_fields: { cost_code: 'CC-7', badge: 42, remote: true },
};

async function createUser(fields: Record<string, unknown>) {
  const res = await t.call('POST', '/api/users', { body: fields });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('create and read', () => {
  it('creates a flat user with every field, ignoring unknown and server-owned keys', async () => {
    const res = await t.call('POST', '/api/users', {
      body: { ...FULL, id: 99, created_at: 'yesterday', schemas: ['urn:x'], nickname: 'A' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 1,
      ...FULL,
      manager_id: null,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: res.body.created_at,
    });
    expect((await t.call('GET', '/api/users/1')).body).toEqual(res.body);
  });

  it('defaults optional fields to null and status to active, with increasing ids', async () => {
    const a = await createUser({ user_name: 'a' });
    const b = await createUser({ user_name: 'b', office: { city: 'Oslo' } });
    expect(a.id).toBe(1);
    expect(b.id).toBe(2);
    expect(a.status).toBe('active');
    expect(a.email).toBeNull();
    expect(a.office).toBeNull();
    expect(b.office).toEqual({ street: null, city: 'Oslo', region: null, zip: null, country: null, label: null });
  });

  it('answers 404 for a missing user', async () => {
    const res = await t.call('GET', '/api/users/42');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('rejects a duplicate user_name case-insensitively with 422 taken', async () => {
    await createUser({ user_name: 'Bob' });
    const res = await t.call('POST', '/api/users', { body: { user_name: 'bOB' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({ code: 'taken', field: 'user_name', message: expect.any(String) });
    expect(t.app.store.userCount).toBe(1);
  });

  it.each([
    [{}, 'user_name'],
    [{ user_name: '' }, 'user_name'],
    [{ user_name: 7 }, 'user_name'],
    [{ user_name: null }, 'user_name'],
    [{ user_name: 'x', first_name: 5 }, 'first_name'],
    [{ user_name: 'x', manager_id: '1' }, 'manager_id'],
    [{ user_name: 'x', manager_id: 1.5 }, 'manager_id'],
    [{ user_name: 'x', manager_id: 12 }, 'manager_id'],
    [{ user_name: 'x', status: 'disabled' }, 'status'],
    [{ user_name: 'x', office: 'London' }, 'office'],
    [{ user_name: 'x', office: ['London'] }, 'office'],
    [{ user_name: 'x', office: { city: 3 } }, 'office.city'],
  ])('rejects %j with 422 invalid on %s', async (body, field) => {
    const res = await t.call('POST', '/api/users', { body });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({ code: 'invalid', field, message: expect.any(String) });
  });

  it('accepts a manager that exists', async () => {
    const boss = await createUser({ user_name: 'boss' });
    expect((await createUser({ user_name: 'worker', manager_id: boss.id })).manager_id).toBe(boss.id);
  });
});

describe('roles and custom fields', () => {
  it('defaults to no roles and no custom fields', async () => {
    const user = await createUser({ user_name: 'plain' });
    expect(user.roles).toEqual([]);
    expect(user.custom_fields).toEqual({});
  });

  it('replaces roles whole and merges custom fields, a null removing one', async () => {
    const user = await createUser({ user_name: 'cf', roles: ['A', 'A', 'B'], custom_fields: { a: '1', b: '2' } });
    expect(user.roles).toEqual(['A', 'B']);
    const res = await t.call('PATCH', `/api/users/${user.id}`, {
      body: { roles: ['C'], custom_fields: { a: null, c: 3 } },
    });
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['C']);
    expect(res.body.custom_fields).toEqual({ b: '2', c: 3 });
  });

  it.each([
    [{ roles: 'Admin' }, 'roles'],
    [{ roles: [''] }, 'roles'],
    [{ custom_fields: [] }, 'custom_fields'],
    [{ custom_fields: { 'bad name': 'x' } }, 'custom_fields'],
    [{ custom_fields: { nested: { a: 1 } } }, 'custom_fields.nested'],
  ])('refuses %j with 422 on %s', async (fields, field) => {
    const res = await t.call('POST', '/api/users', { body: { user_name: 'bad', ...fields } });
    expect(res.status).toBe(422);
    expect(res.body.error.field).toBe(field);
  });
});

describe('PATCH', () => {
  it('changes only present keys, clears with null and ignores unknown or server-owned keys', async () => {
    const before = await createUser(FULL);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const res = await t.call('PATCH', '/api/users/1', {
      body: {
        job_title: 'Engineer',
        phone_work: null,
        office: null,
        id: 5,
        created_at: 'x',
        updated_at: 'y',
        bogus: 1,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ...before,
      job_title: 'Engineer',
      phone_work: null,
      office: null,
      updated_at: expect.any(String),
    });
    expect(res.body.updated_at > before.updated_at).toBe(true);
    expect(t.app.store.getUser(1)).toEqual(res.body);
  });

  it('refuses to null or empty user_name and refuses bad types', async () => {
    await createUser({ user_name: 'a' });
    for (const body of [
      { user_name: null },
      { user_name: '  ' },
      { status: 'gone' },
      { manager_id: 'x' },
      { email: 1 },
    ]) {
      const res = await t.call('PATCH', '/api/users/1', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('invalid');
    }
    expect(t.app.store.getUser(1)?.user_name).toBe('a');
  });

  it('refuses renaming to a taken user_name but allows changing the case of its own', async () => {
    await createUser({ user_name: 'a' });
    await createUser({ user_name: 'b' });
    const clash = await t.call('PATCH', '/api/users/2', { body: { user_name: 'A' } });
    expect(clash.status).toBe(422);
    expect(clash.body.error).toMatchObject({ code: 'taken', field: 'user_name' });
    const own = await t.call('PATCH', '/api/users/2', { body: { user_name: 'B' } });
    expect(own.body.user_name).toBe('B');
    // The old name is free again.
    expect((await t.call('POST', '/api/users', { body: { user_name: 'b2' } })).status).toBe(201);
  });

  it('refuses a user as their own manager, and answers 404 for a missing user', async () => {
    await createUser({ user_name: 'a' });
    expect((await t.call('PATCH', '/api/users/1', { body: { manager_id: 1 } })).status).toBe(422);
    expect((await t.call('PATCH', '/api/users/9', { body: { first_name: 'x' } })).status).toBe(404);
  });
});

describe('activate, deactivate and delete', () => {
  it('flips status', async () => {
    await createUser({ user_name: 'a' });
    const off = await t.call('POST', '/api/users/1/deactivate');
    expect(off.status).toBe(200);
    expect(off.body.status).toBe('inactive');
    const on = await t.call('POST', '/api/users/1/activate');
    expect(on.body.status).toBe('active');
    expect((await t.call('POST', '/api/users/3/activate')).status).toBe(404);
    expect((await t.call('POST', '/api/users/3/deactivate')).status).toBe(404);
  });

  it('deletes with 204, then 404, clearing manager_id of reports and memberships', async () => {
    const boss = await createUser({ user_name: 'boss' });
    const worker = await createUser({ user_name: 'worker', manager_id: boss.id });
    await t.call('POST', '/api/teams', { body: { name: 'T' } });
    await t.call('PUT', `/api/teams/1/members/${boss.id}`);
    await t.call('PUT', `/api/teams/1/members/${worker.id}`);

    const del = await t.call('DELETE', `/api/users/${boss.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await t.call('DELETE', `/api/users/${boss.id}`)).status).toBe(404);
    expect((await t.call('GET', `/api/users/${boss.id}`)).status).toBe(404);
    expect((await t.call('GET', `/api/users/${worker.id}`)).body.manager_id).toBeNull();
    expect(t.app.store.listMemberships().map((m) => m.user_id)).toEqual([worker.id]);
    // Ids are never reused.
    expect((await createUser({ user_name: 'boss' })).id).toBe(3);
  });
});

describe('list', () => {
  it('paginates by page and per_page, sorted by id, clamping per_page to 100', async () => {
    for (let start = 0; start < 105; start += 35) {
      await Promise.all(Array.from({ length: 35 }, (_, i) => createUser({ user_name: `user${start + i}` })));
    }
    const first = await t.call('GET', '/api/users');
    expect(first.body).toMatchObject({ page: 1, per_page: 25, total: 105 });
    expect(first.body.users.map((u: { id: number }) => u.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    const third = await t.call('GET', '/api/users?page=3&per_page=50');
    expect(third.body).toMatchObject({ page: 3, per_page: 50, total: 105 });
    expect(third.body.users.map((u: { id: number }) => u.id)).toEqual([101, 102, 103, 104, 105]);

    const clamped = await t.call('GET', '/api/users?per_page=1000');
    expect(clamped.body.per_page).toBe(100);
    expect(clamped.body.users).toHaveLength(100);

    for (const query of ['page=0&per_page=0', 'page=abc&per_page=-5', 'page=1.5&per_page=2x']) {
      const res = await t.call('GET', `/api/users?${query}`);
      expect(res.body, query).toMatchObject({ page: 1, per_page: 25 });
    }
    const beyond = await t.call('GET', '/api/users?page=99');
    expect(beyond.body).toMatchObject({ users: [], page: 99, total: 105 });
  });

  it('filters by user_name and email case-insensitively, external_ref exactly, combined with AND', async () => {
    await createUser({ user_name: 'Alice', email: 'Alice@Example.com', external_ref: 'AbC' });
    await createUser({ user_name: 'bob', email: 'alice@example.com', external_ref: 'abc' });
    await createUser({ user_name: 'carol', email: null, external_ref: 'AbC' });
    const names = async (query: string) =>
      (await t.call('GET', `/api/users?${query}`)).body.users.map((u: { user_name: string }) => u.user_name);

    expect(await names('user_name=ALICE')).toEqual(['Alice']);
    expect(await names('user_name=ali')).toEqual([]);
    expect(await names('email=ALICE%40example.COM')).toEqual(['Alice', 'bob']);
    expect(await names('external_ref=AbC')).toEqual(['Alice', 'carol']);
    expect(await names('external_ref=abc')).toEqual(['bob']);
    expect(await names('email=alice%40example.com&external_ref=abc')).toEqual(['bob']);
    expect(await names('user_name=&email=')).toEqual(['Alice', 'bob', 'carol']);
    const filtered = await t.call('GET', '/api/users?external_ref=AbC&per_page=1');
    expect(filtered.body).toMatchObject({ total: 2, per_page: 1 });
  });
});
