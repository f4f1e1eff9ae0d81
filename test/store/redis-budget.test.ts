/**
 * What only Redis can do wrong: be down, or spread an app's keys over Cluster slots. The algorithm itself
 * is held to the RateBudget contract (rate-budget.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Limit } from '../../src/outbound/budget.ts';
import {
  createRedisClient,
  StoreUnavailableError,
  whenReady,
  type RedisClient,
} from '../../src/store/redis/connection.ts';
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

describe('RedisBudget when Redis fails', () => {
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
    await expect(failure).rejects.toMatchObject({ status: 503, code: 'SCIMGW_STORE_UNAVAILABLE', retryAfter: 5 });
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
    expect(await budget.takeAll([main, user])).toBeGreaterThan(0);
    await budget.settle([main, user], 'first');
    // Other apps hash to other slots (and so, most likely, to other nodes).
    for (const app of ['hr', 'erp', 'wiki', 'lms'])
      expect(
        await budget.takeAll([
          { ...main, key: `${app}:main` },
          { ...user, key: `${app}:b:updates:7` },
        ]),
      ).toBe(0);
    await budget.pause('crm', 300_000);
    expect(await budget.take('crm:b:updates:8', user.limit)).toBeGreaterThan(0);
  });
});
