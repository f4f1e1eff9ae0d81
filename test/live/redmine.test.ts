/**
 * The Entra lifecycle through the gateway into a real Redmine (connectors/redmine), checked on Redmine's own
 * REST API after every step. Needs REDMINE_URL and REDMINE_API_KEY (an administrator's key;
 * scripts/live/redmine.sh start writes both); skipped without them:
 *
 *   scripts/live/redmine.sh start .tmp/redmine.env && set -a && . .tmp/redmine.env && set +a
 *   npx vitest run --config vitest.live.config.ts test/live/redmine.test.ts
 *
 * Names are unique per run; what the run created is removed from Redmine at the end.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entraGroup,
  entraUser,
  filterQuery,
  haveEnv,
  patchBody,
  runTag,
  startLiveGateway,
  type LiveGateway,
} from './helpers.ts';

const live = haveEnv('REDMINE_URL', 'REDMINE_API_KEY');

interface RedmineReply {
  status: number;
  headers: Headers;
  body: any;
}

/** Redmine's REST API, called directly (not through the gateway) to check what the gateway did. */
async function redmine(method: string, path: string, body?: unknown): Promise<RedmineReply> {
  const base = process.env.REDMINE_URL!.replace(/\/+$/, '');
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      'x-redmine-api-key': process.env.REDMINE_API_KEY!,
      'accept-language': 'en',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text.trim() ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

interface LiveUser {
  id: string;
  appId: string;
  userName: string;
}

describe.skipIf(!live)('Entra lifecycle against a live Redmine (connectors/redmine)', () => {
  const tag = runTag();
  // Redmine logins allow letters, digits and _ - @ . (60 at most).
  const login = (name: string) => `${name}.${tag}@people.scimgw.test`;
  const createdUsers = new Set<string>();
  const createdGroups = new Set<string>();
  let gw: LiveGateway;

  async function redmineUser(appId: string): Promise<RedmineReply> {
    return redmine('GET', `/users/${appId}.json`);
  }

  /** The Redmine user ids in a group, sorted. */
  async function groupUsers(groupAppId: string): Promise<number[]> {
    const reply = await redmine('GET', `/groups/${groupAppId}.json?include=users`);
    expect(reply.status).toBe(200);
    return ((reply.body.group.users ?? []) as { id: number }[]).map((user) => user.id).sort((a, b) => a - b);
  }

  async function createUser(name: string, overrides: Record<string, unknown> = {}): Promise<LiveUser> {
    const userName = login(name);
    const reply = await gw.scim('POST', '/Users', entraUser(userName, overrides));
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const appId = (await gw.appIdOf('User', reply.body.id))!;
    createdUsers.add(appId);
    return { id: reply.body.id, appId, userName };
  }

  beforeAll(async () => {
    const current = await redmine('GET', '/users/current.json');
    expect(current.status, 'REDMINE_API_KEY must be a valid key with the REST API enabled').toBe(200);
    expect(current.body.user.admin, 'REDMINE_API_KEY must belong to an administrator').toBe(true);
    gw = await startLiveGateway({
      connector: 'redmine',
      settings: { baseUrl: process.env.REDMINE_URL! },
      secrets: { apiKey: process.env.REDMINE_API_KEY! },
    });
  });

  afterAll(async () => {
    // Leave Redmine as it was: whatever this run created and did not delete itself.
    for (const id of createdGroups) await redmine('DELETE', `/groups/${id}.json`).catch(() => undefined);
    for (const id of createdUsers) await redmine('DELETE', `/users/${id}.json`).catch(() => undefined);
    await gw?.close();
  });

  it("answers Entra's probes (random userName, random group displayName) with empty lists", async () => {
    const users = await gw.scim('GET', `/Users${filterQuery(`userName eq "${randomUUID()}"`)}`);
    expect(users.status).toBe(200);
    expect(users.body).toMatchObject({ totalResults: 0, Resources: [] });
    const groups = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${randomUUID()}"`, '&excludedAttributes=members')}`,
    );
    expect(groups.status).toBe(200);
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] });
  });

  let alice: LiveUser;

  it('queries before create (userName, externalId), creates, and matches the new user', async () => {
    const userName = login('Alice');
    for (const filter of [`userName eq "${userName}"`, `externalId eq "ext-${userName}"`]) {
      const miss = await gw.scim('GET', `/Users${filterQuery(filter)}`);
      expect(miss.status, filter).toBe(200);
      expect(miss.body.totalResults, filter).toBe(0);
    }
    alice = await createUser('Alice', {
      name: { formatted: 'Alice Example', givenName: 'Alice', familyName: 'Example' },
    });
    expect(alice.appId).toMatch(/^[0-9]+$/);
    const user = await redmineUser(alice.appId);
    expect(user.status).toBe(200);
    expect(user.body.user).toMatchObject({
      login: userName,
      firstname: 'Alice',
      lastname: 'Example',
      mail: userName,
      status: 1,
      admin: false,
    });

    for (const filter of [`userName eq "${userName.toUpperCase()}"`, `externalId eq "ext-${userName}"`]) {
      const hit = await gw.scim('GET', `/Users${filterQuery(filter)}`);
      expect(hit.body.totalResults, filter).toBe(1);
      expect(hit.body.Resources[0]).toMatchObject({
        id: alice.id,
        userName,
        active: true,
        name: { givenName: 'Alice', familyName: 'Example' },
      });
    }
    const read = await gw.scim('GET', `/Users/${alice.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      userName,
      externalId: `ext-${userName}`,
      active: true,
      emails: [{ value: userName, type: 'work', primary: true }],
    });
  });

  it('finds a locked user Redmine had before the gateway, and adopts one on create', async () => {
    // Locked users are not in Redmine's default user list: the connector lists every status.
    const locked = login('Locked');
    const made = await redmine('POST', '/users.json', {
      user: {
        login: locked,
        firstname: 'Locked',
        lastname: 'Before',
        mail: locked,
        generate_password: true,
        status: 3,
      },
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    createdUsers.add(String(made.body.user.id));
    expect((await redmine('GET', `/users.json?name=${encodeURIComponent(locked)}`)).body.total_count).toBe(0);
    const found = await gw.scim('GET', `/Users${filterQuery(`userName eq "${locked}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toMatchObject({
      userName: locked,
      name: { givenName: 'Locked', familyName: 'Before' },
    });
    expect(await gw.appIdOf('User', found.body.Resources[0].id)).toBe(String(made.body.user.id));
    // Redmine 5.0's list has no status; reading the user itself shows it locked.
    expect((await gw.scim('GET', `/Users/${found.body.Resources[0].id}`)).body.active).toBe(false);

    // Created in Redmine behind the gateway's back, then POSTed by Entra: Redmine's 422 "Login has already
    // been taken" is resolved by a name search, and the user is linked and brought to what Entra sent.
    const other = login('Adopted');
    const before = await redmine('POST', '/users.json', {
      user: { login: other, firstname: 'Old', lastname: 'Name', mail: other, generate_password: true },
    });
    expect(before.status).toBe(201);
    const otherId = String(before.body.user.id);
    createdUsers.add(otherId);
    const adopted = await gw.scim(
      'POST',
      '/Users',
      entraUser(other, { name: { givenName: 'Entra', familyName: 'Name' } }),
    );
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
    expect(await gw.appIdOf('User', adopted.body.id)).toBe(otherId);
    expect((await redmineUser(otherId)).body.user).toMatchObject({
      login: other,
      firstname: 'Entra',
      lastname: 'Name',
    });
  });

  it('applies Entra\'s PATCH forms: disable with "False", no-path replace, email and userName replace, enable', async () => {
    const off = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect([200, 204], JSON.stringify(off.body)).toContain(off.status);
    expect((await redmineUser(alice.appId)).body.user.status).toBe(3);
    expect((await gw.scim('GET', `/Users/${alice.id}`)).body.active).toBe(false);
    // Entra must still read disabled users, by id and by query.
    const stillThere = await gw.scim('GET', `/Users${filterQuery(`userName eq "${alice.userName}"`)}`);
    expect(stillThere.body.Resources).toMatchObject([{ id: alice.id, active: false }]);

    const noPath = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'replace', value: { 'name.givenName': 'Alicia', 'name.familyName': 'Example-Two' } }),
    );
    expect([200, 204]).toContain(noPath.status);
    expect((await redmineUser(alice.appId)).body.user).toMatchObject({
      firstname: 'Alicia',
      lastname: 'Example-Two',
      status: 3,
    });

    const mail = `alicia.${tag}@mail.scimgw.test`;
    const email = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'emails[type eq "work"].value', value: mail }),
    );
    expect([200, 204]).toContain(email.status);
    expect((await redmineUser(alice.appId)).body.user.mail).toBe(mail);

    // Administrators may change a login: a userName rename is a login rename.
    const renamed = login('Alicia');
    const rename = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'userName', value: renamed }),
    );
    expect([200, 204], JSON.stringify(rename.body)).toContain(rename.status);
    expect((await redmineUser(alice.appId)).body.user.login).toBe(renamed);
    alice = { ...alice, userName: renamed };
    const byNewName = await gw.scim('GET', `/Users${filterQuery(`userName eq "${renamed}"`)}`);
    expect(byNewName.body.Resources).toMatchObject([{ id: alice.id, userName: renamed }]);

    const on = await gw.scim('PATCH', `/Users/${alice.id}`, patchBody({ op: 'replace', path: 'active', value: true }));
    expect([200, 204]).toContain(on.status);
    expect((await redmineUser(alice.appId)).body.user).toMatchObject({
      status: 1,
      login: renamed,
      firstname: 'Alicia',
      mail,
    });
    expect((await gw.scim('GET', `/Users/${alice.id}`)).body).toMatchObject({
      active: true,
      userName: renamed,
      name: { givenName: 'Alicia', familyName: 'Example-Two' },
    });

    // Taking another user's login is Redmine's 422 "Login has already been taken": a SCIM 409.
    const clash = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'userName', value: login('Adopted') }),
    );
    expect(clash.status).toBe(409);
    expect((await redmineUser(alice.appId)).body.user.login).toBe(renamed);
  });

  let group: { id: string; appId: string; name: string };
  let bob: LiveUser;
  let carol: LiveUser;

  it('creates a group, finds it by displayName, refuses a second one with the same name in other case, adopts a pre-existing one', async () => {
    const name = `Live Group ${tag}`;
    const probe = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${name}"`, '&excludedAttributes=members')}`,
    );
    expect(probe.body.totalResults).toBe(0);
    const created = await gw.scim('POST', '/Groups', entraGroup(name));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ displayName: name });
    const appId = (await gw.appIdOf('Group', created.body.id))!;
    createdGroups.add(appId);
    group = { id: created.body.id, appId, name };
    expect((await redmine('GET', `/groups/${appId}.json`)).body.group).toMatchObject({ id: Number(appId), name });

    const found = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${name.toLowerCase()}"`, '&excludedAttributes=members')}`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(group.id);
    expect(found.body.Resources[0].members).toBeUndefined();

    const clash = await gw.scim('POST', '/Groups', entraGroup(name.toUpperCase()));
    expect(clash.status).toBe(409);
    expect((await redmine('GET', `/groups/${appId}.json`)).body.group.name).toBe(name);

    const existing = `Before ${tag}`;
    const made = await redmine('POST', '/groups.json', { group: { name: existing.toLowerCase() } });
    expect(made.status).toBe(201);
    createdGroups.add(String(made.body.group.id));
    const adopted = await gw.scim('POST', '/Groups', entraGroup(existing));
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
    expect(await gw.appIdOf('Group', adopted.body.id)).toBe(String(made.body.group.id));
    expect((await redmine('GET', `/groups/${made.body.group.id}.json`)).body.group.name).toBe(existing);
  });

  it('adds several members in one PATCH ($ref null), idempotently, and reads them back', async () => {
    bob = await createUser('Bob');
    carol = await createUser('Carol');
    const add = patchBody({
      op: 'Add',
      path: 'members',
      value: [alice, bob, carol].map((user) => ({ $ref: null, value: user.id })),
    });
    const added = await gw.scim('PATCH', `/Groups/${group.id}`, add);
    expect(added.status, JSON.stringify(added.body)).toBe(204);
    const expected = [alice, bob, carol].map((user) => Number(user.appId)).sort((a, b) => a - b);
    expect(await groupUsers(group.appId)).toEqual(expected);
    // Again: Redmine would answer 422 for a repeat; the connector checks first, so nothing changes.
    expect((await gw.scim('PATCH', `/Groups/${group.id}`, add)).status).toBe(204);
    expect(await groupUsers(group.appId)).toEqual(expected);

    const read = await gw.scim('GET', `/Groups/${group.id}`);
    expect(read.status).toBe(200);
    expect(read.body.members.map((member: { value: string }) => member.value).sort()).toEqual(
      [alice.id, bob.id, carol.id].sort(),
    );
    const check = await gw.scim(
      'GET',
      `/Groups${filterQuery(`id eq "${group.id}" and members eq "${bob.id}"`, '&attributes=id')}`,
    );
    expect(check.body.totalResults).toBe(1);
  });

  it("removes members by Entra's value array and by a filter path", async () => {
    const byValue = await gw.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'Remove', path: 'members', value: [{ $ref: null, value: alice.id }] }),
    );
    expect(byValue.status, JSON.stringify(byValue.body)).toBe(204);
    expect(await groupUsers(group.appId)).toEqual([bob, carol].map((user) => Number(user.appId)).sort((a, b) => a - b));
    const byFilter = await gw.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'remove', path: `members[value eq "${bob.id}"]` }),
    );
    expect(byFilter.status, JSON.stringify(byFilter.body)).toBe(204);
    expect(await groupUsers(group.appId)).toEqual([Number(carol.appId)]);
    // Removing someone who is not (or no longer) a member leaves the group as it is.
    expect(
      (
        await gw.scim(
          'PATCH',
          `/Groups/${group.id}`,
          patchBody({ op: 'Remove', path: 'members', value: [{ value: alice.id }] }),
        )
      ).status,
    ).toBe(204);
    expect(await groupUsers(group.appId)).toEqual([Number(carol.appId)]);
  });

  it('renames a group', async () => {
    const renamed = `Renamed Group ${tag}`;
    const reply = await gw.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'Replace', path: 'displayName', value: renamed }),
    );
    expect(reply.status).toBe(204);
    expect((await redmine('GET', `/groups/${group.appId}.json`)).body.group.name).toBe(renamed);
    const read = await gw.scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(read.body.displayName).toBe(renamed);
    const found = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${renamed}"`, '&excludedAttributes=members')}`,
    );
    expect(found.body.totalResults).toBe(1);
  });

  it('deletes a user (its membership goes with it) and then the group', async () => {
    const removed = await gw.scim('DELETE', `/Users/${carol.id}`);
    expect(removed.status).toBe(204);
    expect((await redmineUser(carol.appId)).status).toBe(404);
    expect(await groupUsers(group.appId)).toEqual([]);
    expect((await gw.scim('GET', `/Users/${carol.id}`)).status).toBe(404);
    expect((await gw.scim('GET', `/Users${filterQuery(`userName eq "${carol.userName}"`)}`)).body.totalResults).toBe(0);

    const gone = await gw.scim('DELETE', `/Groups/${group.id}`);
    expect(gone.status).toBe(204);
    expect((await redmine('GET', `/groups/${group.appId}.json`)).status).toBe(404);
    expect((await gw.scim('GET', `/Groups/${group.id}`)).status).toBe(404);

    for (const user of [alice, bob]) expect((await gw.scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await redmineUser(alice.appId)).status).toBe(404);
  });
});
