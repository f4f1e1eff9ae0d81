/** The RateBudget contract on both implementations: this process's, and Redis's shared by replicas. */
import { afterAll, beforeAll } from 'vitest';
import { LocalBudget } from '../../src/outbound/budget.ts';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { RedisBudget } from '../../src/store/redis/redis-budget.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { rateBudgetContract } from './rate-budget-contract.ts';

let redis: RedisServer;
const clients: RedisClient[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await redis?.close();
});

rateBudgetContract('in process', async (clock) => new LocalBudget(() => clock.now()), { shared: false });

rateBudgetContract(
  'Redis (Lua)',
  async (clock) => {
    // One client per budget: each stands for a replica.
    const client = createRedisClient({ url: redis.url });
    clients.push(client);
    await whenReady(client);
    return new RedisBudget(client, 'contract', clock);
  },
  { shared: true },
);
