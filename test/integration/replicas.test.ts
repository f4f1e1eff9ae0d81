/**
 * Several gateway processes sharing one Redis and one demo app behave as one gateway: concurrent creates
 * of one userName on different replicas make one app object; a replica killed between the app's create
 * and its answer leaves nothing a retry on another replica cannot finish with the first attempt's id.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { createRedisClient, whenReady } from '../../src/store/redis/connection.ts';
import { RedisIdMap } from '../../src/store/redis/redis-id-map.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { scimCall, startReplica, writeReplicaConfig, type Replica } from '../helpers/replicas.ts';
import { entraUser } from '../helpers/stack.ts';

let redis: RedisServer;
let demo: DemoApp;
let dir: string;
let replicas: Replica[] = [];
let idMap: RedisIdMap;

beforeAll(async () => {
  redis = await startRedis();
  demo = createDemoApp({ apiKey: 'demo-key' });
  const { url } = await demo.listen();
  dir = mkdtempSync(join(tmpdir(), 'scimgw-replicas-'));
  const config = writeReplicaConfig(dir, { redisUrl: redis.url, demoUrl: url, lockLease: '1s' });
  replicas = await Promise.all([startReplica(config), startReplica(config), startReplica(config)]);
  const client = createRedisClient({ url: redis.url });
  await whenReady(client);
  idMap = new RedisIdMap(client);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.kill()));
  await idMap?.close();
  await demo?.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three replicas on one Redis', () => {
  it('turns concurrent creates of one userName on all replicas into one app user and one SCIM id', async () => {
    for (const name of ['same@contoso.com', 'Other.Same@contoso.com', 'third@contoso.com']) {
      const body = entraUser(name);
      const replies = await Promise.all(
        Array.from({ length: 9 }, (_, i) => scimCall(replicas[i % 3]!.base, 'POST', '/Users', body)),
      );
      const created = replies.filter((reply) => reply.status === 201);
      expect(
        replies.every((reply) => reply.status === 201 || reply.status === 409),
        JSON.stringify(replies.map((r) => r.status)),
      ).toBe(true);
      expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
      expect(demo.store.listUsers({ user_name: name }).total).toBe(1);
      // Every replica now answers the same SCIM id for it.
      for (const replica of replicas) {
        const found = await scimCall(
          replica.base,
          'GET',
          `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`,
        );
        expect(found.body.Resources[0].id).toBe(created[0]!.body.id);
      }
    }
  });

  it('finishes a create whose replica was killed (SIGKILL) before answering, on another replica, with the first SCIM id', async () => {
    const [victim, survivor] = [replicas[0]!, replicas[1]!];
    const body = entraUser('killed.mid.create@contoso.com');
    demo.setFaults({ rate: 1, kinds: ['slow'], slowMs: 700 });
    const arrived = demo.stats().requests;
    const doomed = scimCall(victim.base, 'POST', '/Users', body).catch(() => undefined);
    // The app has the create (it counts requests on arrival) and is still working on it: kill the replica now.
    for (let i = 0; i < 200 && demo.stats().requests === arrived; i++) await sleep(5);
    await victim.kill('SIGKILL');
    await doomed;
    demo.setFaults(undefined);
    for (let i = 0; i < 100 && demo.store.listUsers({ user_name: 'killed.mid.create@contoso.com' }).total === 0; i++)
      await sleep(20);
    expect(demo.store.listUsers({ user_name: 'killed.mid.create@contoso.com' }).total).toBe(1);
    const pending = await idMap.findByKey('demo', 'User', 'killed.mid.create@contoso.com');
    expect(pending).toMatchObject({ appId: null, committed: false });

    // Another Entra object with the same userName is refused; the same one gets the first attempt's id.
    expect((await scimCall(survivor.base, 'POST', '/Users', { ...body, externalId: 'somebody-else' })).status).toBe(
      409,
    );
    const retry = await scimCall(survivor.base, 'POST', '/Users', body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(pending!.scimId);
    expect(demo.store.listUsers({ user_name: 'killed.mid.create@contoso.com' }).total).toBe(1);
    replicas[0] = await startReplica(join(dir, 'gateway.yaml'));
  });
});
