import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { LocalAppSnapshots } from '../../src/core/app-snapshot.ts';
import { SqliteAppSnapshots } from '../../src/store/embedded/sqlite-snapshots.ts';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { RedisAppSnapshots } from '../../src/store/redis/redis-snapshots.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { snapshotContract } from './snapshot-contract.ts';

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

snapshotContract('in process', async () => new LocalAppSnapshots());
snapshotContract('embedded (node:sqlite)', async () => new SqliteAppSnapshots(':memory:'));
snapshotContract('Redis', async () => new RedisAppSnapshots(client, `t-${randomUUID()}`));
