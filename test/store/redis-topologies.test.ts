/** The Redis IdMap passes its contract through Sentinel and on a three-node Cluster too. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createRedisClient, whenReady } from '../../src/store/redis/connection.ts';
import { RedisIdMap } from '../../src/store/redis/redis-id-map.ts';
import { startCluster, startSentinel, type Topology } from '../helpers/redis-topologies.ts';
import { idMapContract } from './id-map-contract.ts';

let sentinel: Topology;
let cluster: Topology;
beforeAll(async () => {
  [sentinel, cluster] = await Promise.all([startSentinel(), startCluster()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([sentinel?.close(), cluster?.close()]);
});

async function open(options: Parameters<typeof createRedisClient>[0]): Promise<RedisIdMap> {
  const client = createRedisClient(options);
  if (!(await whenReady(client, 10_000))) throw new Error('Redis client not ready');
  return new RedisIdMap(client, { prefix: `t-${randomUUID()}` });
}

idMapContract('Redis via Sentinel', () => open({ sentinels: sentinel.nodes, sentinelName: 'mymaster' }));
idMapContract('Redis Cluster (3 masters)', () => open({ cluster: cluster.nodes }));
