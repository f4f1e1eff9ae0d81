/**
 * The app snapshot against the demo app: Entra's reads answered without app calls while it is fresh, writes
 * kept in step, accounts made behind the gateway's back adopted on create, and every read back on the app
 * once the snapshot is older than maxAge.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSnapshotKeeper } from '../../src/app-snapshots.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { entraUser, PATCH_OP, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

let clock: FakeClock;
const ADMIN = 'admin-token-0123456789';

async function open(snapshot: { every: string; maxAge?: string; fullEvery?: string }): Promise<Stack> {
  clock = new FakeClock();
  stack = await startStack({ demoApp: { snapshot }, clock, adminToken: ADMIN });
  // The schedule lists users and groups once at start: let it finish, so counts below are the test's own.
  await untilStatus(stack, (kinds) => kinds.every((kind) => kind.current && !kind.refreshing));
  return stack;
}

type KindStatus = Awaited<ReturnType<AppSnapshotKeeper['status']>>['kinds'][number];

/** Waits (a bounded number of short real sleeps) until the demo app's snapshot status satisfies `done`. */
async function untilStatus(s: Stack, done: (kinds: KindStatus[]) => boolean): Promise<void> {
  const keeper = s.gateway.apps.get('demo')!.snapshots!;
  for (let turn = 0; turn < 1000; turn++) {
    if (done((await keeper.status()).kinds)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const users = (kinds: KindStatus[]) => kinds.find((kind) => kind.kind === 'User');

/** App calls made by `work` (the demo app counts every /api request). */
async function callsOf(s: Stack, work: () => Promise<unknown>): Promise<number> {
  const before = s.demo.stats().requests;
  await work();
  return s.demo.stats().requests - before;
}

function seed(s: Stack, userName: string, extra: Record<string, unknown> = {}) {
  return s.demo.store.createUser({ user_name: userName, email: userName, status: 'active', ...extra });
}

async function refresh(s: Stack, kind: 'User' | 'Group' = 'User') {
  return s.gateway.apps.get('demo')!.snapshots!.refreshNow(kind);
}

const filter = (text: string) => `/Users?filter=${encodeURIComponent(text)}`;

describe('app snapshot', () => {
  it('lists the app once and answers match queries from it: a hit is adopted, a miss costs no call', async () => {
    const s = await open({ every: '1h' });
    for (let index = 0; index < 120; index++) seed(s, `seed${index}@example.com`, { external_ref: `x-${index}` });
    const outcome = await refresh(s);
    expect(outcome.state).toMatchObject({ objects: 120, appCalls: 2 });

    let reply: Awaited<ReturnType<Stack['scim']>> | undefined;
    expect(await callsOf(s, async () => (reply = await s.scim('GET', filter('userName eq "SEED7@example.com"'))))).toBe(
      0,
    );
    expect(reply!.body.totalResults).toBe(1);
    expect(reply!.body.Resources[0].userName).toBe('seed7@example.com');
    const adopted = reply!.body.Resources[0].id as string;

    expect(await callsOf(s, async () => (reply = await s.scim('GET', filter('externalId eq "x-8"'))))).toBe(0);
    expect(reply!.body.totalResults).toBe(1);
    const workEmail = 'emails[type eq "work"].value eq "seed9@example.com"';
    expect(await callsOf(s, async () => (reply = await s.scim('GET', filter(workEmail))))).toBe(0);
    expect(reply!.body.totalResults).toBe(1);
    expect(
      await callsOf(s, async () => (reply = await s.scim('GET', filter('userName eq "nobody@example.com"')))),
    ).toBe(0);
    expect(reply!.body).toMatchObject({ totalResults: 0 });

    // The adopted user is read from the snapshot too, by id and by its now-mapped userName.
    expect(await callsOf(s, async () => (reply = await s.scim('GET', `/Users/${adopted}`)))).toBe(0);
    expect(reply!.body.userName).toBe('seed7@example.com');
  });

  it('keeps Entra cycles at one app call per user: create, then read and PATCH', async () => {
    const s = await open({ every: '1h' });
    await refresh(s);
    const ids: string[] = [];
    const created = await callsOf(s, async () => {
      for (let index = 0; index < 5; index++) {
        const userName = `new${index}@example.com`;
        expect((await s.scim('GET', filter(`userName eq "${userName}"`))).body.totalResults).toBe(0);
        const reply = await s.scim('POST', '/Users', entraUser(userName));
        expect(reply.status).toBe(201);
        ids.push(reply.body.id as string);
      }
    });
    expect(created).toBe(5);
    const updated = await callsOf(s, async () => {
      for (const id of ids) {
        expect((await s.scim('GET', `/Users/${id}`)).status).toBe(200);
        const patch = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Changed' }] };
        expect([200, 204]).toContain((await s.scim('PATCH', `/Users/${id}`, patch)).status);
      }
    });
    expect(updated).toBe(5);
    // What the PATCH answered is in the snapshot: the next read shows it without asking the app.
    let reply: Awaited<ReturnType<Stack['scim']>> | undefined;
    expect(await callsOf(s, async () => (reply = await s.scim('GET', `/Users/${ids[0]}`)))).toBe(0);
    expect(reply!.body.displayName).toBe('Changed');
    expect(await callsOf(s, () => s.scim('DELETE', `/Users/${ids[1]}`))).toBe(1);
    expect(await callsOf(s, async () => (reply = await s.scim('GET', filter('userName eq "new1@example.com"'))))).toBe(
      0,
    );
    expect(reply!.body.totalResults).toBe(0);
  });

  it('adopts an account made in the app after the snapshot instead of duplicating it', async () => {
    const s = await open({ every: '1h' });
    await refresh(s);
    const late = seed(s, 'late@example.com');
    expect((await s.scim('GET', filter('userName eq "late@example.com"'))).body.totalResults).toBe(0);
    const reply = await s.scim('POST', '/Users', entraUser('late@example.com'));
    expect(reply.status).toBe(201);
    expect(s.demo.store.userCount).toBe(1);
    expect(s.demo.store.getUser(late.id)?.user_name).toBe('late@example.com');
  });

  it('does not answer from a snapshot older than maxAge', async () => {
    const s = await open({ every: '1h', maxAge: '90m' });
    seed(s, 'old@example.com');
    await refresh(s);
    await s.gateway.apps.get('demo')!.snapshots!.stop();
    await clock.advance(89 * 60_000);
    expect(await callsOf(s, () => s.scim('GET', filter('userName eq "old@example.com"')))).toBe(0);
    await clock.advance(2 * 60_000);
    expect(await callsOf(s, () => s.scim('GET', filter('userName eq "old@example.com"')))).toBeGreaterThan(0);
    const status = await s.gateway.apps.get('demo')!.snapshots!.status();
    expect(status.kinds.find((kind) => kind.kind === 'User')?.current).toMatchObject({ objects: 1, fresh: false });
  });

  it('refreshes on demand from the admin endpoint and shows size, cost and age on the status page', async () => {
    const s = await open({ every: '1h' });
    for (let index = 0; index < 3; index++) seed(s, `admin${index}@example.com`);
    const admin = { authorization: `Bearer ${ADMIN}` };
    const refused = await fetch(`${s.gateway.url}/admin/apps/demo/snapshot`, { method: 'POST' });
    expect(refused.status).toBe(401);
    const started = await fetch(`${s.gateway.url}/admin/apps/demo/snapshot?resource=User`, {
      method: 'POST',
      headers: admin,
    });
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ app: 'demo', refreshing: ['User'] });
    await untilStatus(s, (kinds) => users(kinds)?.current?.objects === 3 && !users(kinds)?.refreshing);
    const status = (await (await fetch(`${s.gateway.url}/admin/status.json`, { headers: admin })).json()) as any;
    expect(status.apps[0].snapshot.kinds[0]).toMatchObject({
      kind: 'User',
      current: { objects: 3, appCalls: 1, fresh: true },
      lastFailure: null,
    });
    // Drift is counted in the background after each new snapshot: 3 accounts Entra did not provision.
    await untilStatus(s, (kinds) => users(kinds)?.drift?.counts.orphans === 3);
    const metrics = await (await fetch(`${s.gateway.url}/metrics`)).text();
    expect(metrics).toContain('scimgw_drift_objects{app="demo",resource="User",drift="orphans"} 3');
    const page = await (await fetch(`${s.gateway.url}/admin/status`, { headers: admin })).text();
    expect(page).toContain('drift: 3 in the app but not from Entra, 0 gone from the app, 0 changed in the app');
    expect(page).toContain('<h3>App snapshot</h3>');
    expect(page).toMatch(/3 objects, listed in .* with 1 app calls/);
    const unknown = await fetch(`${s.gateway.url}/admin/apps/other/snapshot`, { method: 'POST', headers: admin });
    expect(unknown.status).toBe(400);
  });

  it('lists only changes between full listings when the connector can, and everything once fullEvery has passed', async () => {
    const s = await open({ every: '1h', fullEvery: '24h' });
    const kept = seed(s, 'kept@example.com');
    const gone = seed(s, 'gone@example.com');
    const full = await refresh(s);
    s.demo.store.updateUser(kept.id, { display_name: 'Changed in the app' });
    s.demo.store.deleteUser(gone.id);
    seed(s, 'added@example.com');
    const userListings = () => s.demo.log.filter((entry) => entry.method === 'GET' && entry.path === '/api/users');
    const before = userListings().length;
    // The schedule looks every 15 min (a quarter of `every`): after an hour it refreshes, listing changes only.
    await clock.advance(61 * 60_000);
    const keeper = s.gateway.apps.get('demo')!.snapshots!;
    for (let turn = 0; turn < 1000 && userListings().length === before; turn++) await clock.advance(1000);
    await untilStatus(s, (kinds) => {
      const user = users(kinds);
      return !!user?.current && user.current.startedAt > full.state.startedAt && !user.refreshing;
    });
    const changes = userListings().slice(before);
    expect(changes[0]?.query.updated_since).toBe(new Date(full.state.startedAt - 60_000).toISOString());
    const state = (await keeper.status()).kinds.find((kind) => kind.kind === 'User')!.current!;
    expect(state).toMatchObject({ fullStartedAt: full.state.startedAt, generation: full.state.generation });
    const changed = await s.scim('GET', filter('userName eq "kept@example.com"'));
    expect(changed.body.Resources[0].displayName).toBe('Changed in the app');
    expect((await s.scim('GET', filter('userName eq "added@example.com"'))).body.totalResults).toBe(1);
    // A listing of changes cannot see the deletion; the next full listing does.
    expect(await keeper.refreshNow('User')).toMatchObject({ refreshed: true, state: { objects: 2 } });
    expect(userListings().at(-1)?.query.updated_since).toBeUndefined();
  });
});
