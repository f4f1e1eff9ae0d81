/**
 * Redis restarts (with persistence) during a stream of creates on two replicas: requests during the
 * outage get 503 with Retry-After, never 500; /readyz says not ready and recovers by itself; afterwards
 * every user that got 201 reads back by its SCIM id, retried 503s complete, and nobody is duplicated.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';
import { scimCall, startReplica, writeReplicaConfig, type Replica } from '../helpers/replicas.ts';
import { entraUser } from '../helpers/stack.ts';

let redis: RedisServer;
let demo: DemoApp;
let dir: string;
let replicas: Replica[] = [];

beforeAll(async () => {
  redis = await startRedis({ persistence: true });
  demo = createDemoApp({ apiKey: 'demo-key' });
  const { url } = await demo.listen();
  dir = mkdtempSync(join(tmpdir(), 'scimgw-outage-'));
  const config = writeReplicaConfig(dir, { redisUrl: redis.url, demoUrl: url });
  replicas = await Promise.all([startReplica(config), startReplica(config)]);
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.kill()));
  await demo?.close();
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function ready(replica: Replica): Promise<number> {
  return (await fetch(`${replica.url}/readyz`)).status;
}

describe('Redis outage during provisioning', () => {
  it('answers 503 during the outage, recovers alone, and loses or duplicates nobody', async () => {
    const results: { userName: string; status: number; id?: string; retryAfter: string | null }[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let n = 0; n < 400 && !stop; n++) {
        const userName = `stream-${w}-${n}@contoso.com`;
        const response = await fetch(`${replicas[n % 2]!.base}/Users`, {
          method: 'POST',
          headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/scim+json' },
          body: JSON.stringify(entraUser(userName)),
        });
        const body = (await response.json()) as { id?: string };
        results.push({
          userName,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          ...(response.status === 201 ? { id: body.id! } : {}),
        });
        await sleep(10);
      }
    };
    const stream = Promise.all([0, 1, 2, 3].map(worker));
    // Counted, not timed: on a busy machine creates come slower, and the test waits for them.
    const created = () => results.filter((r) => r.status === 201).length;
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 600 && !done(); i++) await sleep(50);
    };
    await until(() => created() >= 10);
    await redis.stop();
    await sleep(300);
    const duringOutage = await Promise.all(replicas.map(ready));
    await sleep(400);
    await redis.start();
    // Both replicas recover by themselves.
    for (let i = 0; i < 100 && (await Promise.all(replicas.map(ready))).some((status) => status !== 200); i++)
      await sleep(100);
    const recovered = created();
    await until(() => created() >= recovered + 10);
    stop = true;
    await stream;

    expect(duringOutage).toEqual([503, 503]);
    const readiness = (await (await fetch(`${replicas[0]!.url}/readyz`)).json()) as { checks: { store: string } };
    expect(readiness.checks.store).toBe('redis: ok');
    expect(await Promise.all(replicas.map(ready))).toEqual([200, 200]);
    const statuses = new Set(results.map((result) => result.status));
    expect([...statuses].sort()).toEqual([201, 503]);
    for (const result of results.filter((r) => r.status === 503))
      expect(Number(result.retryAfter)).toBeGreaterThanOrEqual(1);
    const made = results.filter((r) => r.status === 201);
    expect(made.length).toBeGreaterThanOrEqual(20);

    // Every 201 reads back by its id (persistence kept the mappings through the restart).
    for (const result of made) {
      const read = await scimCall(replicas[0]!.base, 'GET', `/Users/${result.id}`);
      expect(read.status, result.userName).toBe(200);
      expect(read.body.userName).toBe(result.userName);
    }
    // Entra retries the 503s later: each completes, reusing a reservation where the app already has the user.
    for (const result of results.filter((r) => r.status === 503)) {
      const retry = await scimCall(replicas[1]!.base, 'POST', '/Users', entraUser(result.userName));
      expect(retry.status, result.userName).toBe(201);
    }
    const attempted = new Set(results.map((r) => r.userName));
    const inApp = demo.store
      .listUsers({}, { offset: 0, limit: 1_000_000 })
      .items.filter((user) => user.user_name.startsWith('stream-'));
    expect(inApp.length).toBe(attempted.size);
    expect(new Set(inApp.map((user) => user.user_name)).size).toBe(inApp.length);
  }, 60_000);
});
