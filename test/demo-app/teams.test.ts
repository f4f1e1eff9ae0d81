import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type Running } from './helpers.ts';

let t: Running;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.app.close());
beforeEach(() => t.app.reset());

async function post(path: string, body: Record<string, unknown>) {
  const res = await t.call('POST', path, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('teams', () => {
  it('creates, reads, patches and deletes', async () => {
    const team = await post('/api/teams', { name: 'Admins', description: 'root', external_ref: 'g-1', junk: 1 });
    expect(team).toEqual({
      id: 1,
      name: 'Admins',
      description: 'root',
      external_ref: 'g-1',
      created_at: expect.any(String),
      updated_at: team.created_at,
    });
    expect((await t.call('GET', '/api/teams/1')).body).toEqual(team);

    const patched = await t.call('PATCH', '/api/teams/1', { body: { description: null, id: 3 } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 1, name: 'Admins', description: null, external_ref: 'g-1' });

    expect((await t.call('DELETE', '/api/teams/1')).status).toBe(204);
    expect((await t.call('GET', '/api/teams/1')).status).toBe(404);
    expect((await t.call('DELETE', '/api/teams/1')).status).toBe(404);
    expect((await t.call('PATCH', '/api/teams/1', { body: {} })).status).toBe(404);
  });

  it('keeps names unique case-insensitively', async () => {
    await post('/api/teams', { name: 'Ops' });
    await post('/api/teams', { name: 'Dev' });
    const dup = await t.call('POST', '/api/teams', { body: { name: 'OPS' } });
    expect(dup.status).toBe(422);
    expect(dup.body.error).toEqual({ code: 'taken', field: 'name', message: expect.any(String) });
    const rename = await t.call('PATCH', '/api/teams/2', { body: { name: 'ops' } });
    expect(rename.body.error).toMatchObject({ code: 'taken', field: 'name' });
  });

  it('validates types', async () => {
    for (const body of [
      {},
      { name: '' },
      { name: 1 },
      { name: 'x', description: 5 },
      { name: 'x', external_ref: {} },
    ]) {
      const res = await t.call('POST', '/api/teams', { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.code).toBe('invalid');
    }
    await post('/api/teams', { name: 'A' });
    expect((await t.call('PATCH', '/api/teams/1', { body: { name: null } })).body.error.field).toBe('name');
  });

  it('lists with pagination and filters', async () => {
    await post('/api/teams', { name: 'Alpha', external_ref: 'X' });
    await post('/api/teams', { name: 'Beta', external_ref: 'x' });
    await post('/api/teams', { name: 'Gamma' });
    const page = await t.call('GET', '/api/teams?page=2&per_page=2');
    expect(page.body).toMatchObject({ page: 2, per_page: 2, total: 3 });
    expect(page.body.teams.map((g: { name: string }) => g.name)).toEqual(['Gamma']);
    const byName = await t.call('GET', '/api/teams?name=BETA');
    expect(byName.body.teams.map((g: { id: number }) => g.id)).toEqual([2]);
    const byRef = await t.call('GET', '/api/teams?external_ref=X');
    expect(byRef.body.teams.map((g: { id: number }) => g.id)).toEqual([1]);
    expect((await t.call('GET', '/api/teams?per_page=101')).body.per_page).toBe(100);
  });
});

describe('members', () => {
  beforeEach(async () => {
    await post('/api/teams', { name: 'T' });
    for (const name of ['u1', 'u2', 'u3']) await post('/api/users', { user_name: name });
  });

  it('adds idempotently and lists ordered by user_id', async () => {
    for (const id of [3, 1, 3]) {
      const res = await t.call('PUT', `/api/teams/1/members/${id}`);
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
    }
    const list = await t.call('GET', '/api/teams/1/members');
    expect(list.status).toBe(200);
    expect(list.body).toEqual({
      members: [
        { user_id: 1, added_at: expect.any(String) },
        { user_id: 3, added_at: expect.any(String) },
      ],
      page: 1,
      per_page: 25,
      total: 2,
    });
    const paged = await t.call('GET', '/api/teams/1/members?page=2&per_page=1');
    expect(paged.body.members.map((m: { user_id: number }) => m.user_id)).toEqual([3]);
  });

  it('removes idempotently', async () => {
    await t.call('PUT', '/api/teams/1/members/2');
    expect((await t.call('DELETE', '/api/teams/1/members/2')).status).toBe(204);
    expect((await t.call('DELETE', '/api/teams/1/members/2')).status).toBe(204);
    expect((await t.call('DELETE', '/api/teams/1/members/77')).status).toBe(204);
    expect((await t.call('GET', '/api/teams/1/members')).body.total).toBe(0);
  });

  it('answers 404 when the team or (for adds) the user is missing', async () => {
    const cases: Array<[string, string]> = [
      ['PUT', '/api/teams/9/members/1'],
      ['PUT', '/api/teams/1/members/9'],
      ['DELETE', '/api/teams/9/members/1'],
      ['GET', '/api/teams/9/members'],
    ];
    for (const [method, path] of cases) {
      const res = await t.call(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect(t.app.store.listMemberships()).toEqual([]);
  });

  it('adds and removes several members in one call, idempotently', async () => {
    expect((await t.call('POST', '/api/teams/1/members', { body: { user_ids: [3, 1] } })).status).toBe(204);
    expect((await t.call('POST', '/api/teams/1/members', { body: { user_ids: [1, 2] } })).status).toBe(204);
    expect((await t.call('GET', '/api/teams/1/members')).body.total).toBe(3);
    expect((await t.call('DELETE', '/api/teams/1/members?user_ids=1,3,77')).status).toBe(204);
    expect(t.app.store.listMemberships().map((m) => m.user_id)).toEqual([2]);
  });

  it('refuses a bulk add naming an unknown user, adding nobody, and more than 50 ids', async () => {
    const unknown = await t.call('POST', '/api/teams/1/members', { body: { user_ids: [1, 99] } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error).toMatchObject({ code: 'invalid', field: 'user_ids' });
    expect(t.app.store.listMemberships()).toEqual([]);
    const many = await t.call('POST', '/api/teams/1/members', {
      body: { user_ids: Array.from({ length: 51 }, (_, i) => i + 1) },
    });
    expect(many.status).toBe(422);
    expect((await t.call('POST', '/api/teams/1/members', { body: { user_ids: [] } })).status).toBe(422);
  });

  it('drops memberships when the team is deleted', async () => {
    await post('/api/teams', { name: 'Other' });
    await t.call('PUT', '/api/teams/1/members/1');
    await t.call('PUT', '/api/teams/2/members/1');
    await t.call('DELETE', '/api/teams/1');
    expect(t.app.store.listMemberships()).toEqual([{ team_id: 2, user_id: 1, added_at: expect.any(String) }]);
    // A new team never inherits the old team's members.
    await post('/api/teams', { name: 'T' });
    expect((await t.call('GET', '/api/teams/3/members')).body.total).toBe(0);
  });
});
