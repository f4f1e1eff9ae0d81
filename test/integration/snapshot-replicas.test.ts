/**
 * Three gateway processes on one Redis keep one app snapshot: one of them lists the app, the others find
 * the snapshot it made, and each answers Entra's match queries from it without an app call.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { scimCall, startReplica, writeReplicaConfig, type Replica } from '../helpers/replicas.ts';

let redis: RedisServer;
let demo: DemoApp;
let dir: string;
let replicas: Replica[] = [];

const USERS = 250;

beforeAll(async () => {
  redis = await startRedis();
  demo = createDemoApp({ apiKey: 'demo-key' });
  for (let index = 0; index < USERS; index++)
    demo.store.createUser({
      user_name: `held${index}@example.com`,
      email: `held${index}@example.com`,
      status: 'active',
    });
  const { url } = await demo.listen();
  dir = mkdtempSync(join(tmpdir(), 'scimgw-snapshot-replicas-'));
  const config = writeReplicaConfig(dir, { redisUrl: redis.url, demoUrl: url, snapshotEvery: '1h' });
  replicas = await Promise.all([startReplica(config), startReplica(config), startReplica(config)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.kill()));
  await demo?.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The replica's own view of the snapshot, from its metrics (0 until it made or found one). */
async function snapshotObjects(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const line = /^scimgw_snapshot_objects\{app="demo",resource="User"\} (\d+)$/m.exec(text);
  return Number(line?.[1] ?? 0);
}

describe('app snapshot on three replicas', () => {
  it('is listed once, by one replica, and read by all three', async () => {
    for (let turn = 0; turn < 600; turn++) {
      const seen = await Promise.all(replicas.map(snapshotObjects));
      if (seen.every((objects) => objects === USERS)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await Promise.all(replicas.map(snapshotObjects))).toEqual([USERS, USERS, USERS]);
    const listings = demo.log.filter((entry) => entry.method === 'GET' && entry.path === '/api/users');
    // 250 users at 100 a page: one listing is three pages.
    expect(listings.map((entry) => entry.query.page)).toEqual(['1', '2', '3']);
    const before = demo.stats().requests;
    for (const [index, replica] of replicas.entries()) {
      const filter = encodeURIComponent(`userName eq "held${index}@example.com"`);
      const reply = await scimCall(replica.base, 'GET', `/Users?filter=${filter}`);
      expect(reply.body.totalResults).toBe(1);
    }
    expect(demo.stats().requests).toBe(before);
  });
});
