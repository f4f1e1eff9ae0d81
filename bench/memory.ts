/**
 * npm run bench:memory: maps 100,000 users through a gateway on Redis and prints the gateway process's
 * RSS at start, after the first 10,000 and after all of them. The map lives in Redis, so growth past the
 * warm-up is what the process itself keeps per user (it should be none). Then it lists all of them into
 * the app snapshot (apps[].snapshot) and prints the RSS and Redis memory that moved: the snapshot is
 * streamed into Redis, so the process should keep none of it.
 *
 * Environment: MEMORY_USERS (default 100000), MEMORY_CONCURRENCY (default 32), MEMORY_HEAP_MB to cap the
 * gateway's V8 old space (a cap it runs under shows that growth above it was garbage V8 had not returned).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createRedisClient, whenReady } from '../src/store/redis/connection.ts';
import { RedisIdMap } from '../src/store/redis/redis-id-map.ts';
import { startRedis } from '../test/helpers/redis-server.ts';
import { waitForOutput } from './wait-for-output.ts';

const ROOT = join(import.meta.dirname, '..');
const USERS = Number(process.env.MEMORY_USERS ?? 100_000);
const CONCURRENCY = Number(process.env.MEMORY_CONCURRENCY ?? 32);

const rss = (pid: number) =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;

async function redisUsedMiB(client: ReturnType<typeof createRedisClient>): Promise<number> {
  const info = String(await client.info('memory'));
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0) / 1024 / 1024;
}

interface Listing {
  objects: number;
  appCalls: number;
  seconds: number;
  rssBefore: number;
  rssAfter: number;
  rssPeak: number;
  redisBefore: number;
  redisAfter: number;
}

/** Refreshes the demo app's user snapshot through the admin endpoint and samples RSS until it is done. */
async function listSnapshot(origin: string, rssNow: () => number, redisNow: () => Promise<number>): Promise<Listing> {
  const headers = { authorization: 'Bearer admin-token' };
  const rssBefore = rssNow();
  const redisBefore = await redisNow();
  const started = performance.now();
  const before = await userSnapshot(origin, headers);
  const answer = await fetch(`${origin}/admin/apps/demo/snapshot?resource=User`, { method: 'POST', headers });
  if (answer.status !== 202) throw new Error(`snapshot refresh refused: ${answer.status} ${await answer.text()}`);
  let rssPeak = rssBefore;
  for (let turn = 0; turn < 36_000; turn++) {
    rssPeak = Math.max(rssPeak, rssNow());
    const now = await userSnapshot(origin, headers);
    if (now.current && now.current.generation !== before.current?.generation && !now.refreshing) {
      return {
        objects: now.current.objects,
        appCalls: now.current.appCalls,
        seconds: (performance.now() - started) / 1000,
        rssBefore,
        rssAfter: rssNow(),
        rssPeak,
        redisBefore,
        redisAfter: await redisNow(),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the snapshot listing did not finish within an hour');
}

interface UserSnapshot {
  current: { generation: string; objects: number; appCalls: number } | null;
  refreshing: unknown;
}

async function userSnapshot(origin: string, headers: Record<string, string>): Promise<UserSnapshot> {
  const status = (await (await fetch(`${origin}/admin/status.json`, { headers })).json()) as {
    apps: { snapshot: { kinds: (UserSnapshot & { kind: string })[] } }[];
  };
  return status.apps[0]!.snapshot.kinds.find((kind) => kind.kind === 'User')!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-memory-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const demo = spawn(process.execPath, ['src/demo-app/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_APP_PORT: '0', DEMO_APP_API_KEY: 'k', DEMO_APP_RATE: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(demo);
    const demoUrl = (await waitForOutput(demo, /(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `apiVersion: scimgw/v1\nkind: Gateway\nstore: { type: redis, url: "${redis.url}" }\nconnectorDirs: ["${join(ROOT, 'connectors')}"]\napps:\n  - { id: demo, connector: demo, tokens: [env:T], settings: { baseUrl: "${demoUrl}" }, secrets: { apiKey: env:K }, rateLimit: { requests: 0, concurrency: 64 }, snapshot: { every: 24h } }\nadmin: { tokens: [env:A] }\n`,
    );
    const heapCap = process.env.MEMORY_HEAP_MB ? [`--max-old-space-size=${process.env.MEMORY_HEAP_MB}`] : [];
    const gateway = spawn(process.execPath, [...heapCap, 'src/main.ts', '--config', config], {
      cwd: ROOT,
      env: { ...process.env, T: 't', K: 'k', A: 'admin-token', PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(gateway);
    const origin = (await waitForOutput(gateway, /(http:\/\/127\.0\.0\.1:\d+)\/apps\/demo/))[1]!;
    const pool = new Pool(origin, { connections: CONCURRENCY });
    const samples: [string, number][] = [['at start', rss(gateway.pid!)]];
    let next = 0;
    let failures = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < USERS) {
          const i = next++;
          const userName = `mem-${i}@bench.example`;
          const response = await pool.request({
            method: 'POST',
            path: '/apps/demo/scim/v2/Users',
            headers: { authorization: 'Bearer t', 'content-type': 'application/scim+json' },
            body: JSON.stringify({
              userName,
              externalId: `x-${i}`,
              name: { givenName: 'Mem', familyName: String(i) },
              emails: [{ type: 'work', value: userName }],
            }),
          });
          await response.body.text();
          if (response.statusCode !== 201) failures++;
          if (i === 9_999) samples.push(['after 10,000 users', rss(gateway.pid!)]);
        }
      }),
    );
    samples.push([`after ${USERS.toLocaleString('en')} users`, rss(gateway.pid!)]);
    const seconds = (performance.now() - started) / 1000;
    await pool.close();
    const client = createRedisClient({ url: redis.url });
    await whenReady(client);
    const listing = await listSnapshot(
      origin,
      () => rss(gateway.pid!),
      () => redisUsedMiB(client),
    );
    const mapped = await new RedisIdMap(client).count('demo', 'User');
    client.disconnect();
    process.stdout.write(
      `memory bench${heapCap.length ? ` (${heapCap[0]})` : ''}: ${USERS} users through one gateway on Redis in ${seconds.toFixed(0)} s (${(USERS / seconds).toFixed(0)}/s), ${failures} failures, ${mapped} mappings in Redis\n`,
    );
    process.stdout.write('| gateway process | RSS MiB |\n|---|---|\n');
    for (const [label, value] of samples) process.stdout.write(`| ${label} | ${value.toFixed(1)} |\n`);
    const warm = samples[1]?.[1] ?? samples[0]![1];
    process.stdout.write(
      `growth after warm-up: ${(samples.at(-1)![1] - warm).toFixed(1)} MiB for ${(USERS - 10_000).toLocaleString('en')} more users\n`,
    );
    process.stdout.write(
      `app snapshot: listed ${listing.objects.toLocaleString('en')} users with ${listing.appCalls} app calls in ${listing.seconds.toFixed(1)} s; gateway RSS ${listing.rssBefore.toFixed(1)} → ${listing.rssAfter.toFixed(1)} MiB (peak ${listing.rssPeak.toFixed(1)}, moved ${(listing.rssAfter - listing.rssBefore).toFixed(1)} MiB); Redis used memory ${listing.redisBefore.toFixed(1)} → ${listing.redisAfter.toFixed(1)} MiB\n`,
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
