import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquire, guardFor, type Limit } from '../../src/outbound/budget.ts';
import { createRedisClient, StoreUnavailableError, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { RedisBudget } from '../../src/store/redis/redis-budget.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { startCluster, type Topology } from '../helpers/redis-topologies.ts';

let redis: RedisServer;
const clients: RedisClient[] = [];

/** One simulated replica: its own client and its own RedisBudget. */
async function replica(prefix: string): Promise<RedisBudget> {
  const client = createRedisClient({ url: redis.url });
  clients.push(client);
  expect(await whenReady(client)).toBe(true);
  return new RedisBudget(client, prefix);
}

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.close();
});

/** The most timestamps inside any window of `ms` (sliding, as an app counts). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function busiestWindow(times: number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= ms) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe('RedisBudget shared by replicas', () => {
  it('three replicas racing for one key never exceed the budget in any window, and use most of it', async () => {
    const replicas = await Promise.all([replica('race'), replica('race'), replica('race')]);
    const limit: Limit = { requests: 10, perMs: 300, smooth: false };
    const runMs = 1200;
    const grants: number[] = [];
    const perReplica = [0, 0, 0];
    const started = Date.now();
    const stopAt = started + runMs;
    // Four callers per replica keep the budget under pressure the whole time.
    const workers = replicas.flatMap((budget, index) =>
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 100 && Date.now() < stopAt; i++) {
          await acquire(budget, 'crm:main', limit, Date.now() + 5000);
          grants.push(Date.now());
          perReplica[index]!++;
        }
      }),
    );
    await Promise.all(workers);
    // Grants seen by the clients: the window is 300 ms plus a 10 ms guard for exactly this jitter.
    expect(busiestWindow(grants, limit.perMs)).toBeLessThanOrEqual(limit.requests);
    // It paces rather than merely blocks: within the run, at least 85 % of the declared budget (40 calls
    // in 1.2 s) was granted.
    const inRun = grants.filter((at) => at < stopAt).length;
    expect(inRun).toBeGreaterThanOrEqual(Math.floor((runMs / limit.perMs) * limit.requests * 0.85));
    // Every replica got some of it.
    for (const count of perReplica) expect(count).toBeGreaterThan(0);
  });

  it('a pause set through one replica holds the app on another', async () => {
    const [first, second] = await Promise.all([replica('pause'), replica('pause')]);
    const limit: Limit = { requests: 100, perMs: 1000, smooth: false };
    await first.pause('crm', 400);
    const wait = await second.take('crm:main', limit);
    expect(wait).toBeGreaterThan(300);
    expect(wait).toBeLessThanOrEqual(400);
    // Buckets of the app wait too; another app does not.
    expect(await second.take('crm:b:updates:42', limit)).toBeGreaterThan(300);
    expect(await second.take('hr:main', limit)).toBe(0);
    // A shorter pause does not shorten it; a longer one extends it.
    await second.pause('crm:main', 50);
    expect(await first.take('crm:main', limit)).toBeGreaterThan(300);
    await second.pause('crm', 900);
    expect(await first.take('crm:main', limit)).toBeGreaterThan(800);
  });

  it('counts apps and keys independently', async () => {
    const [first, second] = await Promise.all([replica('keys'), replica('keys')]);
    const limit: Limit = { requests: 2, perMs: 1000, smooth: false };
    expect(await first.take('crm:main', limit)).toBe(0);
    expect(await second.take('crm:main', limit)).toBe(0);
    const wait = await first.take('crm:main', limit);
    expect(wait).toBeGreaterThan(900);
    expect(wait).toBeLessThanOrEqual(1000 + guardFor(1000));
    expect(await second.take('hr:main', limit)).toBe(0);
    expect(await second.take('hr:main', limit)).toBe(0);
    expect(await first.take('crm:b:updates:1', limit)).toBe(0);
    expect(await first.take('crm:b:updates:2', limit)).toBe(0);
    // Another gateway sharing the Redis under another prefix has its own budget.
    const other = await replica('other-gateway');
    expect(await other.take('crm:main', limit)).toBe(0);
  });

  it('takeAll counts a call in the app budget and its bucket together, or in neither', async () => {
    const [first, second] = await Promise.all([replica('all'), replica('all')]);
    const main = { key: 'crm:main', limit: { requests: 3, perMs: 1000, smooth: false } };
    const user = { key: 'crm:b:updates:7', limit: { requests: 1, perMs: 500, smooth: false } };
    expect(await first.takeAll([main, user])).toBe(0);
    // The bucket is full (on any replica): nothing is counted, the wait is the bucket's.
    const wait = await second.takeAll([main, user]);
    expect(wait).toBeGreaterThan(400);
    expect(wait).toBeLessThanOrEqual(500 + guardFor(500));
    expect(await second.takeAll([main, user])).toBeGreaterThan(400);
    // So the app budget still has exactly two calls left.
    expect(await second.take('crm:main', main.limit)).toBe(0);
    expect(await first.take('crm:main', main.limit)).toBe(0);
    // Both full: the wait is the longer one.
    expect(await first.takeAll([main, user])).toBeGreaterThan(900);
    // A pause holds takeAll too.
    await first.pause('crm', 1500);
    expect(await second.takeAll([main, user])).toBeGreaterThan(1400);
    await expect(first.takeAll([main, { key: 'hr:main', limit: main.limit }])).rejects.toThrow(/one app/);
  });

  it('settle counts a call from its answer, on every replica', async () => {
    const [first, second] = await Promise.all([replica('settle'), replica('settle')]);
    const main = { key: 'crm:main', limit: { requests: 2, perMs: 200, smooth: false } };
    expect(await first.takeAll([main], 'slow')).toBe(0);
    expect(await first.takeAll([main], 'fast')).toBe(0);
    await sleep(100);
    await first.settle([main], 'slow');
    // The fast grant frees its slot ~210 ms after it was made; the slow call counts from its answer.
    const wait = await second.take('crm:main', main.limit);
    expect(wait).toBeGreaterThan(50);
    expect(wait).toBeLessThanOrEqual(110);
    await sleep(wait + 5);
    expect(await second.take('crm:main', main.limit)).toBe(0);
    // Counted from its grant the slow call would have left with the fast one; from its answer it holds on.
    expect(await second.take('crm:main', main.limit)).toBeGreaterThan(40);
  });

  it('when the limit is lowered below the count, waits until enough have left', async () => {
    const budget = await replica('lowered');
    for (let i = 0; i < 3; i++) expect(await budget.take('crm:main', { requests: 3, perMs: 1000, smooth: false })).toBe(0);
    // Limit 1: all three must leave, so the wait is a full window, not "until the oldest leaves, then again".
    expect(await budget.take('crm:main', { requests: 1, perMs: 1000, smooth: false })).toBeGreaterThan(1000);
  });

  it('answers 503 (StoreUnavailableError) while Redis is down, and recovers', async () => {
    const budget = await replica('outage');
    const client = clients.at(-1)!;
    const limit: Limit = { requests: 5, perMs: 1000, smooth: false };
    expect(await budget.take('crm:main', limit)).toBe(0);
    const closed = new Promise((resolve) => client.once('close', resolve));
    await redis.stop();
    await closed;
    const failure = budget.take('crm:main', limit);
    await expect(failure).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failure).rejects.toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE' });
    await expect(budget.pause('crm', 100)).rejects.toBeInstanceOf(StoreUnavailableError);
    await redis.start();
    expect(await whenReady(client)).toBe(true);
    expect(await budget.take('crm:main', limit)).toBe(0);
  });
});

describe('RedisBudget on a Cluster', () => {
  let cluster: Topology;
  let clusterClient: RedisClient | undefined;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 30_000);
  afterAll(async () => {
    clusterClient?.disconnect();
    await cluster?.close();
  });

  it('takes a call and its bucket in one script: all keys of an app share a slot', async () => {
    clusterClient = createRedisClient({ cluster: cluster.nodes });
    expect(await whenReady(clusterClient, 10_000)).toBe(true);
    const budget = new RedisBudget(clusterClient, 'c');
    const main = { key: 'crm:main', limit: { requests: 2, perMs: 1000, smooth: false } };
    const user = { key: 'crm:b:updates:7', limit: { requests: 1, perMs: 1000, smooth: false } };
    expect(await budget.takeAll([main, user], 'first')).toBe(0);
    expect(await budget.takeAll([main, user])).toBeGreaterThan(900);
    await budget.settle([main, user], 'first');
    // Other apps hash to other slots (and so, most likely, to other nodes).
    for (const app of ['hr', 'erp', 'wiki', 'lms']) expect(await budget.takeAll([{ ...main, key: `${app}:main` }, { ...user, key: `${app}:b:updates:7` }])).toBe(0);
    await budget.pause('crm', 300);
    expect(await budget.take('crm:b:updates:8', user.limit)).toBeGreaterThan(200);
  });
});
