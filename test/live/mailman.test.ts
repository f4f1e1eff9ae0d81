/**
 * The Entra lifecycle through the gateway into a real GNU Mailman 3 core (connectors/mailman3), checked on
 * Mailman's own REST API after every step. Needs MAILMAN_URL, MAILMAN_USER, MAILMAN_PASSWORD and
 * MAILMAN_DOMAIN (scripts/live/mailman.sh start writes them); skipped without them:
 *
 *   scripts/live/mailman.sh start .tmp/mailman.env && set -a && . .tmp/mailman.env && set +a
 *   npx vitest run --config vitest.live.config.ts test/live/mailman.test.ts
 *
 * Names are unique per run; what the run created is removed from Mailman at the end.
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

const live = haveEnv('MAILMAN_URL', 'MAILMAN_USER', 'MAILMAN_PASSWORD', 'MAILMAN_DOMAIN');

interface MailmanReply {
  status: number;
  headers: Headers;
  body: any;
}

/** Mailman's REST API, called directly (not through the gateway) to check what the gateway did. */
async function mailman(method: string, path: string, body?: unknown): Promise<MailmanReply> {
  const base = process.env.MAILMAN_URL!.replace(/\/+$/, '');
  const auth = Buffer.from(`${process.env.MAILMAN_USER}:${process.env.MAILMAN_PASSWORD}`).toString('base64');
  const response = await fetch(`${base}/3.1${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const enc = encodeURIComponent;

describe.skipIf(!live)('Entra lifecycle against a live GNU Mailman 3 (connectors/mailman3)', () => {
  const tag = runTag();
  const domain = (process.env.MAILMAN_DOMAIN ?? '').toLowerCase();
  const email = (name: string) => `${name}.${tag}@people.scimgw.test`;
  const createdEmails: string[] = [];
  const createdLists: string[] = [];
  let gw: LiveGateway;

  /** The members' email addresses of a list, read from Mailman. */
  async function roster(listId: string): Promise<string[]> {
    const reply = await mailman('GET', `/lists/${enc(listId)}/roster/member?count=100&page=1`);
    expect(reply.status).toBe(200);
    return ((reply.body.entries ?? []) as { email: string }[]).map((entry) => entry.email).sort();
  }

  async function createUser(
    name: string,
    overrides: Record<string, unknown> = {},
  ): Promise<{ id: string; appId: string; email: string }> {
    const address = email(name);
    createdEmails.push(address);
    const reply = await gw.scim('POST', '/Users', entraUser(address, overrides));
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { id: reply.body.id, appId: (await gw.appIdOf('User', reply.body.id))!, email: address };
  }

  beforeAll(async () => {
    gw = await startLiveGateway({
      connector: 'mailman3',
      settings: { baseUrl: process.env.MAILMAN_URL!, domain },
      secrets: { username: process.env.MAILMAN_USER!, password: process.env.MAILMAN_PASSWORD! },
    });
    expect((await mailman('GET', `/domains/${enc(domain)}`)).status, `the domain ${domain} must exist in Mailman`).toBe(
      200,
    );
  });

  afterAll(async () => {
    // Leave Mailman as it was: whatever this run created and did not delete itself.
    for (const listId of createdLists) await mailman('DELETE', `/lists/${enc(listId)}`).catch(() => undefined);
    for (const address of createdEmails) await mailman('DELETE', `/users/${enc(address)}`).catch(() => undefined);
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

  let alice: { id: string; appId: string; email: string };

  it('queries before create (userName, externalId), creates, and matches the new user', async () => {
    const address = email('Alice');
    for (const filter of [`userName eq "${address}"`, `externalId eq "ext-${address}"`]) {
      const miss = await gw.scim('GET', `/Users${filterQuery(filter)}`);
      expect(miss.status, filter).toBe(200);
      expect(miss.body.totalResults, filter).toBe(0);
    }
    alice = await createUser('Alice', { displayName: 'Alice Example' });
    expect(alice.appId).toMatch(/^[0-9a-f]{32}$/);
    // Mailman: the user (id from the Location header) with the address, both carrying the display name.
    const user = await mailman('GET', `/users/${alice.appId}`);
    expect(user.status).toBe(200);
    expect(user.body.display_name).toBe('Alice Example');
    const address_ = await mailman('GET', `/addresses/${enc(address)}`);
    expect(address_.body).toMatchObject({
      email: address.toLowerCase(),
      original_email: address,
      display_name: 'Alice Example',
    });
    expect(address_.body.user).toMatch(new RegExp(`/users/${alice.appId}$`));

    for (const filter of [`userName eq "${address.toUpperCase()}"`, `externalId eq "ext-${address}"`]) {
      const hit = await gw.scim('GET', `/Users${filterQuery(filter)}`);
      expect(hit.body.totalResults, filter).toBe(1);
      expect(hit.body.Resources[0]).toMatchObject({
        id: alice.id,
        userName: address,
        displayName: 'Alice Example',
        active: true,
      });
    }
    const read = await gw.scim('GET', `/Users/${alice.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      userName: address,
      displayName: 'Alice Example',
      externalId: `ext-${address}`,
      active: true,
    });
  });

  it('finds a user Mailman had before the gateway by userName, and adopts one on create', async () => {
    const known = email('Known');
    createdEmails.push(known);
    const made = await mailman('POST', '/users', { email: known, display_name: 'Known Before' });
    expect(made.status).toBe(201);
    const knownId = made.headers.get('location')!.split('/users/')[1];
    const found = await gw.scim('GET', `/Users${filterQuery(`userName eq "${known}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0]).toMatchObject({ userName: known, displayName: 'Known Before' });
    expect(await gw.appIdOf('User', found.body.Resources[0].id)).toBe(knownId);

    // Created in Mailman behind the gateway's back, then POSTed by Entra: Mailman's duplicate answer is
    // resolved by looking the address up, and the user is linked and brought to what Entra sent.
    const other = email('Adopted');
    createdEmails.push(other);
    const before = await mailman('POST', '/users', { email: other, display_name: 'Old Name' });
    const otherId = before.headers.get('location')!.split('/users/')[1];
    const adopted = await gw.scim('POST', '/Users', entraUser(other, { displayName: 'Entra Name' }));
    expect(adopted.status, JSON.stringify(adopted.body)).toBe(201);
    expect(await gw.appIdOf('User', adopted.body.id)).toBe(otherId);
    expect((await mailman('GET', `/users/${otherId}`)).body.display_name).toBe('Entra Name');
    expect((await mailman('GET', `/addresses/${enc(other)}`)).body.display_name).toBe('Entra Name');
  });

  it("applies Entra's PATCH forms: displayName replace, no-path replace, disable/enable, and refuses an address change", async () => {
    const replaced = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'displayName', value: 'Alice Renamed' }),
    );
    expect([200, 204]).toContain(replaced.status);
    expect((await mailman('GET', `/users/${alice.appId}`)).body.display_name).toBe('Alice Renamed');
    expect((await mailman('GET', `/addresses/${enc(alice.email)}`)).body.display_name).toBe('Alice Renamed');

    const noPath = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({
        op: 'replace',
        value: { displayName: 'Alice NoPath', 'name.givenName': 'Alice', 'name.familyName': 'NoPath' },
      }),
    );
    expect([200, 204]).toContain(noPath.status);
    expect((await mailman('GET', `/users/${alice.appId}`)).body.display_name).toBe('Alice NoPath');
    const read = await gw.scim('GET', `/Users/${alice.id}`);
    expect(read.body).toMatchObject({
      displayName: 'Alice NoPath',
      name: { givenName: 'Alice', familyName: 'NoPath' },
    });

    // Mailman has no disabled state for a user: the gateway keeps `active` and Mailman is left as it was.
    const off = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'active', value: 'False' }),
    );
    expect([200, 204]).toContain(off.status);
    expect((await gw.scim('GET', `/Users/${alice.id}`)).body.active).toBe(false);
    expect((await mailman('GET', `/users/${alice.appId}`)).status).toBe(200);
    const on = await gw.scim('PATCH', `/Users/${alice.id}`, patchBody({ op: 'replace', path: 'active', value: true }));
    expect([200, 204]).toContain(on.status);
    expect((await gw.scim('GET', `/Users/${alice.id}`)).body.active).toBe(true);

    // A Mailman address cannot be renamed: 400 with the reason, nothing changed on either side.
    const rename = await gw.scim(
      'PATCH',
      `/Users/${alice.id}`,
      patchBody({ op: 'Replace', path: 'userName', value: email('Elsewhere') }),
    );
    expect(rename.status).toBe(400);
    expect(rename.body.detail).toMatch(/cannot change a user's email address/);
    expect((await gw.scim('GET', `/Users/${alice.id}`)).body.userName).toBe(alice.email);
    expect(
      (await mailman('GET', `/users/${alice.appId}/addresses`)).body.entries.map(
        (entry: { email: string }) => entry.email,
      ),
    ).toEqual([alice.email.toLowerCase()]);
  });

  let group: { id: string; listId: string; name: string };
  let bob: { id: string; appId: string; email: string };
  let carol: { id: string; appId: string; email: string };

  it('creates a group as a list in the domain (address made from displayName, display name kept) and finds it', async () => {
    const name = `Live Group ${tag}`;
    const probe = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${name}"`, '&excludedAttributes=members')}`,
    );
    expect(probe.body.totalResults).toBe(0);
    const created = await gw.scim('POST', '/Groups', entraGroup(name));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ displayName: name });
    const listId = (await gw.appIdOf('Group', created.body.id))!;
    createdLists.push(listId);
    expect(listId).toBe(`live-group-${tag}.${domain}`);
    group = { id: created.body.id, listId, name };
    const list = await mailman('GET', `/lists/${enc(listId)}`);
    expect(list.body).toMatchObject({
      fqdn_listname: `live-group-${tag}@${domain}`,
      display_name: name,
      member_count: 0,
    });

    const found = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${name.toLowerCase()}"`, '&excludedAttributes=members')}`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(group.id);
    expect(found.body.Resources[0].members).toBeUndefined();

    // Another displayName that makes the same list address is Mailman's duplicate: 409.
    const clash = await gw.scim('POST', '/Groups', entraGroup(`Live-Group ${tag}`));
    expect(clash.status).toBe(409);
    expect((await mailman('GET', `/lists/${enc(listId)}`)).body.display_name).toBe(name);
  });

  it('finds a list Mailman had before the gateway by displayName', async () => {
    const listId = `before-${tag}.${domain}`;
    createdLists.push(listId);
    expect((await mailman('POST', '/lists', { fqdn_listname: `before-${tag}@${domain}` })).status).toBe(201);
    expect((await mailman('PATCH', `/lists/${enc(listId)}/config`, { display_name: `Before ${tag}` })).status).toBe(
      204,
    );
    const found = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "Before ${tag}"`, '&excludedAttributes=members')}`,
    );
    expect(found.body.totalResults).toBe(1);
    expect(await gw.appIdOf('Group', found.body.Resources[0].id)).toBe(listId);
  });

  it('adds several members in one PATCH ($ref null), idempotently, and reads them back', async () => {
    bob = await createUser('Bob', { displayName: 'Bob Example' });
    carol = await createUser('Carol');
    const add = patchBody({
      op: 'Add',
      path: 'members',
      value: [alice, bob, carol].map((user) => ({ $ref: null, value: user.id })),
    });
    const added = await gw.scim('PATCH', `/Groups/${group.id}`, add);
    expect(added.status, JSON.stringify(added.body)).toBe(204);
    const expected = [alice, bob, carol].map((user) => user.email.toLowerCase()).sort();
    expect(await roster(group.listId)).toEqual(expected);
    // Again: Mailman answers 409 "Member already subscribed", which is success for Entra.
    expect((await gw.scim('PATCH', `/Groups/${group.id}`, add)).status).toBe(204);
    expect(await roster(group.listId)).toEqual(expected);

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
    expect(await roster(group.listId)).toEqual([bob, carol].map((user) => user.email.toLowerCase()).sort());
    const byFilter = await gw.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'remove', path: `members[value eq "${bob.id}"]` }),
    );
    expect(byFilter.status, JSON.stringify(byFilter.body)).toBe(204);
    expect(await roster(group.listId)).toEqual([carol.email.toLowerCase()]);
    // Removing someone who is not (or no longer) a member leaves the list as it is.
    expect(
      (
        await gw.scim(
          'PATCH',
          `/Groups/${group.id}`,
          patchBody({ op: 'Remove', path: 'members', value: [{ value: alice.id }] }),
        )
      ).status,
    ).toBe(204);
    expect(await roster(group.listId)).toEqual([carol.email.toLowerCase()]);
  });

  it("renames a group: the list's display name changes, its address cannot", async () => {
    const renamed = `Renamed Group ${tag}`;
    const reply = await gw.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'Replace', path: 'displayName', value: renamed }),
    );
    expect(reply.status).toBe(204);
    const list = await mailman('GET', `/lists/${enc(group.listId)}`);
    expect(list.body).toMatchObject({ display_name: renamed, fqdn_listname: `live-group-${tag}@${domain}` });
    const read = await gw.scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(read.body.displayName).toBe(renamed);
    const found = await gw.scim(
      'GET',
      `/Groups${filterQuery(`displayName eq "${renamed}"`, '&excludedAttributes=members')}`,
    );
    expect(found.body.totalResults).toBe(1);
  });

  it('deletes a user (its subscriptions go with it) and then the group', async () => {
    const removed = await gw.scim('DELETE', `/Users/${carol.id}`);
    expect(removed.status).toBe(204);
    expect((await mailman('GET', `/users/${carol.appId}`)).status).toBe(404);
    expect((await mailman('GET', `/addresses/${enc(carol.email)}`)).status).toBe(404);
    expect(await roster(group.listId)).toEqual([]);
    expect((await gw.scim('GET', `/Users/${carol.id}`)).status).toBe(404);
    expect((await gw.scim('GET', `/Users${filterQuery(`userName eq "${carol.email}"`)}`)).body.totalResults).toBe(0);

    const gone = await gw.scim('DELETE', `/Groups/${group.id}`);
    expect(gone.status).toBe(204);
    expect((await mailman('GET', `/lists/${enc(group.listId)}`)).status).toBe(404);
    expect((await gw.scim('GET', `/Groups/${group.id}`)).status).toBe(404);

    for (const user of [alice, bob]) expect((await gw.scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await mailman('GET', `/users/${alice.appId}`)).status).toBe(404);
  });
});
