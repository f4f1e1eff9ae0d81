/** Replicas share an app's OAuth token through Redis: one fetch for all, one refresh after a refusal. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthInjector } from '../../src/outbound/auth.ts';
import { UndiciTransport } from '../../src/outbound/transport.ts';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { RedisLocks } from '../../src/store/redis/redis-locks.ts';
import { RedisTokenStore } from '../../src/store/redis/redis-tokens.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';

let redis: RedisServer;
let server: Server;
let tokenUrl: string;
let issued = 0;
const clients: RedisClient[] = [];
const transport = new UndiciTransport();

beforeAll(async () => {
  redis = await startRedis();
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      issued++;
      // A slow token endpoint makes concurrent replicas overlap.
      setTimeout(
        () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ access_token: `token-${issued}`, expires_in: 3600 })),
        50,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await transport.close();
  await new Promise((resolve) => server.close(resolve));
  await redis?.close();
});

async function replica(): Promise<AuthInjector> {
  const client = createRedisClient({ url: redis.url });
  clients.push(client);
  await whenReady(client);
  const store = new RedisTokenStore(client, new RedisLocks(client, { prefix: 'tok' }), 'tok');
  return new AuthInjector(
    {
      type: 'oauth2ClientCredentials',
      tokenUrl,
      clientId: 'id',
      clientSecret: 'secret',
      clientAuth: 'body',
      scopes: [],
      params: [],
    },
    transport,
    { timeoutMs: 2000, shared: { store, key: 'crm' } },
  );
}

async function bearer(injector: AuthInjector): Promise<string> {
  const request = { method: 'GET' as const, url: 'http://127.0.0.1/x', headers: {} as Record<string, string> };
  await injector.apply(request);
  return request.headers.authorization!;
}

describe('OAuth tokens shared through Redis', () => {
  it('fetches one token for three replicas asking at once, and one new token after the app refuses it', async () => {
    const replicas = [await replica(), await replica(), await replica()];
    const first = await Promise.all(replicas.flatMap((r) => [bearer(r), bearer(r)]));
    expect(new Set(first)).toEqual(new Set(['Bearer token-1']));
    expect(issued).toBe(1);
    // Replica 0 learns the token was refused; everyone moves to one new token.
    replicas[0]!.invalidate();
    expect(await bearer(replicas[0]!)).toBe('Bearer token-2');
    const others = await Promise.all([bearer(replicas[1]!), bearer(replicas[2]!)]);
    expect(others).toEqual(['Bearer token-1', 'Bearer token-1']); // still valid in their memory
    replicas[1]!.invalidate();
    expect(await bearer(replicas[1]!)).toBe('Bearer token-2');
    expect(issued).toBe(2);
  });
});
