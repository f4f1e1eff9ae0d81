/** One throwaway redis-server and a connected client for a whole test file: started before, closed after. */
import { afterAll, beforeAll } from 'vitest';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

export function redisForFile(): { readonly client: RedisClient; readonly server: RedisServer } {
  let server: RedisServer | undefined;
  let client: RedisClient | undefined;
  beforeAll(async () => {
    server = await startRedis();
    client = createRedisClient({ url: server.url });
    await whenReady(client);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.close();
  });
  return {
    get client() {
      return client!;
    },
    get server() {
      return server!;
    },
  };
}
