import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { ConnectorRuntime, type AppObject } from '../../src/connectors/runtime.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { NotFoundError, UnavailableError, UpstreamError } from '../../src/errors.ts';
import { UndiciTransport } from '../../src/outbound/transport.ts';
import type { ScimResource } from '../../src/scim/schema/types.ts';
import { cleanupTemp, DEMO_DIR, demoVariant, replaceOnce } from './helpers.ts';

const API_KEY = 'runtime-test-key';
const transport = new UndiciTransport();
const running: { demo: DemoApp; runtime: ConnectorRuntime }[] = [];

/** A demo app on 127.0.0.1:0 and a runtime of `connector` pointed at it. */
async function start(options: { connector?: CompiledConnector; rate?: number; apiKey?: string } = {}) {
  const demo = createDemoApp({ apiKey: API_KEY, ...(options.rate ? { rate: options.rate } : {}) });
  const { url } = await demo.listen();
  const runtime = await ConnectorRuntime.create(
    options.connector ?? loadConnector(DEMO_DIR),
    { config: { baseUrl: url }, secrets: { apiKey: options.apiKey ?? API_KEY } },
    { transport },
  );
  running.push({ demo, runtime });
  return { demo, runtime, url };
}

afterAll(async () => {
  for (const { demo, runtime } of running) {
    runtime.close();
    await demo.close();
  }
  await transport.close();
  cleanupTemp();
});

const context = (ms = 5000) => ({ deadline: Date.now() + ms });
const ada: ScimResource = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'ada@example.com',
  active: true,
  displayName: 'Ada',
  title: 'Analyst',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: 'ada@example.com', type: 'work', primary: true }],
  externalId: 'ext-ada',
};

function created(result: { created: AppObject } | { conflict: true }): AppObject {
  if (!('created' in result)) throw new Error('expected a created object');
  return result.created;
}

describe('users and groups against the demo app', () => {
  let demo: DemoApp;
  let runtime: ConnectorRuntime;
  beforeAll(async () => {
    ({ demo, runtime } = await start());
  });
  beforeEach(() => demo.reset());
  const last = () => demo.log.at(-1);

  it('creates, reads, updates, deactivates, lists, deletes a user', async () => {
    const user = created(await runtime.create('User', ada, 'scim-1', context()));
    expect(user.appId).toMatch(/^\d+$/);
    expect(last()).toMatchObject({ method: 'POST', path: '/api/users', status: 201 });
    expect(last()?.body).toEqual({
      user_name: 'ada@example.com',
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      display_name: 'Ada',
      job_title: 'Analyst',
      external_ref: 'ext-ada',
      status: 'active',
    });

    const read = await runtime.get('User', user.appId, context());
    expect(read?.appId).toBe(user.appId);
    expect(read?.scim).toMatchObject({
      userName: 'ada@example.com',
      active: true,
      title: 'Analyst',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
    });

    // Only the changed app fields travel; a removed attribute is sent as null so the app clears it.
    const { title: _removed, ...withoutTitle } = ada;
    const changed = { ...withoutTitle, displayName: 'Ada L.' };
    const updated = await runtime.update(
      'User',
      user.appId,
      { scim: changed, old: ada, changed: ['displayName', 'title'] },
      context(),
    );
    expect(last()).toMatchObject({ method: 'PATCH', path: `/api/users/${user.appId}`, status: 200 });
    expect(last()?.body).toEqual({ display_name: 'Ada L.', job_title: null });
    expect(updated !== 'notFound' && updated?.scim).toMatchObject({ displayName: 'Ada L.' });
    // Mapped but not yet normalised (core drops nulls): the cleared title comes back as null.
    expect(updated !== 'notFound' && updated?.scim.title).toBeNull();

    const before = demo.log.length;
    expect(
      await runtime.update('User', user.appId, { scim: changed, old: changed, changed: [] }, context()),
    ).toBeUndefined();
    expect(demo.log).toHaveLength(before);

    expect(runtime.canSetActive('User')).toBe(true);
    expect(await runtime.setActive('User', user.appId, false, context())).toBe(true);
    expect(last()).toMatchObject({ method: 'POST', path: `/api/users/${user.appId}/deactivate` });
    expect((await runtime.get('User', user.appId, context()))?.scim.active).toBe(false);
    expect(await runtime.setActive('User', user.appId, true, context())).toBe(true);
    expect(last()).toMatchObject({ method: 'POST', path: `/api/users/${user.appId}/activate` });
    expect((await runtime.get('User', user.appId, context()))?.scim.active).toBe(true);

    created(
      await runtime.create(
        'User',
        { ...ada, userName: 'grace@example.com', externalId: 'ext-grace' },
        'scim-2',
        context(),
      ),
    );
    const pages = [];
    for await (const page of runtime.list('User', context(), {
      filter: { attribute: 'userName', op: 'eq', value: 'ada@example.com' },
    }))
      pages.push(page);
    expect(last()).toMatchObject({
      method: 'GET',
      path: '/api/users',
      query: { user_name: 'ada@example.com', page: '1', per_page: '100' },
    });
    expect(pages.flatMap((page) => page.objects.map((object) => object.appId))).toEqual([user.appId]);
    expect(pages[0]?.total).toBe(1);

    expect(await runtime.delete('User', user.appId, context())).toBe(true);
    expect(last()).toMatchObject({ method: 'DELETE', path: `/api/users/${user.appId}`, status: 204 });
    expect(await runtime.delete('User', user.appId, context())).toBe(false);
    expect(await runtime.get('User', user.appId, context())).toBeUndefined();
    expect(await runtime.setActive('User', user.appId, false, context())).toBe(false);
    expect(
      await runtime.update('User', user.appId, { scim: ada, old: changed, changed: ['displayName'] }, context()),
    ).toBe('notFound');
  });

  it('answers { conflict: true } for a duplicate user_name', async () => {
    created(await runtime.create('User', ada, 'scim-1', context()));
    expect(await runtime.create('User', { ...ada, externalId: 'other' }, 'scim-2', context())).toEqual({
      conflict: true,
    });
    expect(demo.store.userCount).toBe(1);
  });

  it('creates a group and manages its members', async () => {
    const group = created(
      await runtime.create('Group', { displayName: 'Engineering', externalId: 'g-1' }, 'g-scim', context()),
    );
    expect(group.scim).toMatchObject({ displayName: 'Engineering', externalId: 'g-1' });
    const first = created(await runtime.create('User', ada, 's1', context()));
    const second = created(await runtime.create('User', { ...ada, userName: 'grace@example.com' }, 's2', context()));
    expect(runtime.hasMembers()).toBe(true);
    await runtime.changeMembers('add', group.appId, [first.appId], context());
    expect(last()).toMatchObject({
      method: 'PUT',
      path: `/api/teams/${group.appId}/members/${first.appId}`,
      status: 204,
    });
    await runtime.changeMembers('add', group.appId, [second.appId], context());
    expect(await runtime.listMembers(group.appId, context())).toEqual([first.appId, second.appId]);
    await runtime.changeMembers('remove', group.appId, [first.appId], context());
    expect(last()).toMatchObject({ method: 'DELETE', path: `/api/teams/${group.appId}/members/${first.appId}` });
    expect(await runtime.listMembers(group.appId, context())).toEqual([second.appId]);
    // Removing a non-member leaves the group as asked.
    await runtime.changeMembers('remove', group.appId, [first.appId], context());
    const pages = [];
    for await (const page of runtime.list('Group', context(), {
      filter: { attribute: 'displayName', op: 'eq', value: 'Engineering' },
    }))
      pages.push(...page.objects);
    expect(pages.map((object) => object.appId)).toEqual([group.appId]);
  });

  it('percent-encodes ids in URL paths', async () => {
    expect(await runtime.get('User', '1/../2', context())).toBeUndefined();
    expect(last()).toMatchObject({ method: 'GET', path: '/api/users/1%2F..%2F2', status: 404 });
    expect(await runtime.delete('User', 'a b/c?d#e', context())).toBe(false);
    expect(last()?.path).toBe('/api/users/a%20b%2Fc%3Fd%23e');
    expect(demo.log.every((entry) => entry.path.startsWith('/api/users/'))).toBe(true);
  });

  it('refuses ids that would become dot segments instead of calling another resource', async () => {
    for (const id of ['..', '.']) {
      await expect(runtime.get('User', id, context())).rejects.toBeInstanceOf(NotFoundError);
      await expect(runtime.setActive('User', id, false, context())).rejects.toBeInstanceOf(NotFoundError);
      await expect(runtime.changeMembers('add', '1', [id], context())).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(demo.log).toEqual([]);
  });
});

describe('rate limits, faults and credentials', () => {
  const FAST_RETRY = 'retry: { maxAttempts: 3, initialDelay: 20ms, maxDelay: 50ms }\n';
  const USER_CREATE_ADOPT =
    '          - { status: [422], result: fail, message: the demo app rejected a field value }\n        onConflict: adopt';
  const variant = (onConflict: 'adopt' | 'fail', retry = FAST_RETRY) =>
    loadConnector(
      demoVariant((yaml) =>
        replaceOnce(
          replaceOnce(yaml, '  timeout: 20s\n', `  timeout: 20s\n${retry}`),
          USER_CREATE_ADOPT,
          USER_CREATE_ADOPT.replace('adopt', onConflict),
        ),
      ).dir,
    );

  it('waits out a 429 with Retry-After and succeeds', async () => {
    const { demo, runtime, url } = await start({ rate: 2 });
    const id = String(demo.store.createUser({ user_name: 'x@example.com' }).id);
    // Another client of the same API key uses up the app's two calls a second, so the gateway's call meets a 429.
    for (let i = 0; i < 2; i++)
      await (await fetch(`${url}/api/users/${id}`, { headers: { 'x-api-key': API_KEY } })).text();
    const results = await Promise.all([1, 2].map(() => runtime.get('User', id, context())));
    expect(results.map((result) => result?.scim.userName)).toEqual(['x@example.com', 'x@example.com']);
    // One 429: the pause it set held the other call, so neither met a second one.
    expect(demo.stats().rate_limited).toBe(1);
  });

  it('gives up on a GET after maxAttempts 5xx answers with a 503 and Retry-After, within the deadline', async () => {
    const { demo, runtime } = await start({ connector: variant('adopt') });
    demo.setFaults({ rate: 1, kinds: ['5xx'] });
    const error = await runtime.get('User', '1', context(3000)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE' });
    expect((error as UnavailableError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(demo.stats().faults).toBe(3);
  });

  it('stops retrying when the next delay would pass the deadline', async () => {
    const { demo, runtime } = await start({
      connector: variant('adopt', 'retry: { maxAttempts: 5, initialDelay: 1s, maxDelay: 2s }\n'),
    });
    demo.setFaults({ rate: 1, kinds: ['5xx'] });
    await expect(runtime.get('User', '1', context(300))).rejects.toMatchObject({ status: 503 });
    // The first retry would come after a second: past the deadline, so it is not waited for.
    expect(demo.stats().faults).toBe(1);
  });

  it('does not repeat a POST create after a 503 when onConflict is fail', async () => {
    const { demo, runtime } = await start({ connector: variant('fail') });
    demo.setFaults({ rate: 1, kinds: ['5xx'] });
    const error = await runtime.create('User', ada, 'scim-1', context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as UnavailableError).retryAfter).toBeGreaterThanOrEqual(1);
    expect(demo.stats().requests).toBe(1);
  });

  it('repeats a POST create after a 503 when onConflict is adopt, up to maxAttempts', async () => {
    const { demo, runtime } = await start({ connector: variant('adopt') });
    demo.setFaults({ rate: 1, kinds: ['5xx'] });
    await expect(runtime.create('User', ada, 'scim-1', context())).rejects.toBeInstanceOf(UnavailableError);
    expect(demo.stats().requests).toBe(3);
  });

  it('turns the app refusing our API key into a 502 SCIMGW_UPSTREAM_AUTH, never a 401', async () => {
    const { demo, runtime } = await start({ apiKey: 'wrong-key' });
    const error = await runtime.get('User', '1', context()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502, code: 'SCIMGW_UPSTREAM_AUTH', upstreamStatus: 401 });
    expect((error as Error).message).not.toContain('wrong-key');
    expect(demo.stats().requests).toBe(1);
  });
});
