import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError, createRedisClient, whenReady } from '../../src/store/redis/connection.ts';
import { RedisIdMap } from '../../src/store/redis/redis-id-map.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { idMapContract } from './id-map-contract.ts';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.close();
});

// A fresh key prefix per test keeps tests apart without flushing the server.
async function connect(prefix: string): Promise<{ map: RedisIdMap; client: ReturnType<typeof createRedisClient> }> {
  const client = createRedisClient({ url: redis.url });
  await whenReady(client);
  return { map: new RedisIdMap(client, { prefix }), client };
}

idMapContract('Redis', async () => (await connect(`t-${randomUUID()}`)).map);

describe('Redis IdMap specifics', () => {
  it('keeps one app and kind in one hash slot, so its scripts also run on Redis Cluster', async () => {
    const { map, client } = await connect('slots');
    await map.reserve({
      app: 'crm',
      kind: 'User',
      scimId: 's1',
      appId: '9',
      key: 'a@x',
      externalId: 'e',
      shadow: null,
      appHash: null,
      created: 'c',
      lastModified: 'm',
      committed: true,
    });
    const keys = (await client.keys('slots:*')).sort();
    expect(keys).toEqual([
      'slots:{crm:User}:a:9',
      'slots:{crm:User}:k:a@x',
      'slots:{crm:User}:n',
      'slots:{crm:User}:r:s1',
      'slots:{crm:User}:x:e',
    ]);
    await map.close();
  });

  it('answers with a 503-class error, not a crash, while Redis is unreachable, and recovers', async () => {
    const { map } = await connect(`down-${randomUUID()}`);
    await map.ping();
    await redis.stop();
    const error = await map.get('a', 'User', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({ status: 503, retryAfter: 5 });
    await expect(map.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await redis.start();
    for (let i = 0; i < 50; i++) {
      if (
        await map.ping().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await expect(map.ping()).resolves.toBeUndefined();
    await map.close();
  });
});
