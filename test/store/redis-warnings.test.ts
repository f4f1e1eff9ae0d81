/** /readyz names what makes Redis an unsafe home for the mappings: no persistence, or eviction. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { redisWarnings } from '../../src/store/open-store.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';

let redis: RedisServer;
let client: RedisClient;
beforeAll(async () => {
  redis = await startRedis();
  client = createRedisClient({ url: redis.url });
  await whenReady(client);
});
afterAll(async () => {
  client?.disconnect();
  await redis?.close();
});

describe('redisWarnings', () => {
  it('warns while appendonly is off or keys may be evicted, and says nothing once both are safe', async () => {
    await client.config('SET', 'appendonly', 'no');
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const warnings = await redisWarnings(client);
    expect(warnings).toEqual([
      expect.stringContaining('appendonly (AOF) off'),
      expect.stringContaining('maxmemory-policy allkeys-lru'),
    ]);
    await client.config('SET', 'appendonly', 'yes');
    await client.config('SET', 'maxmemory-policy', 'noeviction');
    await expect.poll(() => redisWarnings(client), { timeout: 10_000 }).toEqual([]);
    // Back to the throwaway server's own settings, so it stops at once.
    await client.config('SET', 'appendonly', 'no');
  });
});
