/**
 * npm run bench: the same SCIM work through four servers in one run, so the figures compare:
 *   direct    the demo app itself, spoken to in its own REST API (what the app spends);
 *   floor     bench/floor.ts, koa + router + undici pass-through with no store (the least a gateway spends);
 *   embedded  the gateway on its embedded store;    redis  the gateway on Redis.
 * Workloads: POST /Users, GET /Users?filter=userName eq, GET /Users/{id}, PATCH /Users/{id}, each at
 * concurrency 1 and 16, and GET /ServiceProviderConfig on the gateways alone (their fixed cost per request). Rounds alternate the sides' order and ratios are taken per round, then medianed,
 * so every side sees the same machine noise. The servers under test run on core 0, the demo app and this
 * load generator on core 1 (taskset, when there is more than one core). CPU per request comes from each
 * server process's own /proc accounting.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per run (default 3), BENCH_WARMUP seconds per side
 * and workload before the measured rounds (default 1), BENCH_CONCURRENCY (default "1,16"), BENCH_SIDES (default "direct,floor,embedded,redis"), BENCH_WORKLOADS (names, comma-separated),
 * BENCH_PROFILE=<dir> to write a V8 CPU profile of the gateway processes there, BENCH_NODE_FLAGS for other
 * Node flags of theirs (--inspect=127.0.0.1:9229 to sample allocations, --max-semi-space-size=…).
 * BENCH_BASELINE=<dir>: also run the gateway of another checkout (its dependencies installed) on the embedded
 * store, in the same rounds, and print this checkout's CPU per request paired against it: an A/B of a change
 * whose ratios share each round's machine noise instead of comparing two runs. BENCH_BASELINE_STORE=redis
 * runs the baseline on Redis instead (its own database there) and pairs it with this checkout's Redis side.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { startRedis } from '../test/helpers/redis-server.ts';
import { freePort, load, median, rss, waitFor, type Request, type Result } from './load.ts';
import { waitForOutput } from './wait-for-output.ts';

const ROOT = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,16').split(',').map(Number);
const SIDES = (process.env.BENCH_SIDES ?? 'direct,floor,embedded,redis').split(',') as Side[];
const API_KEY = 'bench-key';
const TOKEN = 'bench-token';
const SEEDED = 200;
const PINNED = availableParallelism() > 1 && spawnSync('taskset', ['-V']).status === 0;
const BASELINE = process.env.BENCH_BASELINE;
if (BASELINE && !SIDES.includes('baseline')) SIDES.push('baseline');
const BASELINE_STORE = process.env.BENCH_BASELINE_STORE === 'redis' ? 'redis' : 'embedded';
if (BASELINE && !SIDES.includes(BASELINE_STORE)) SIDES.push(BASELINE_STORE);

type Side = 'direct' | 'floor' | 'embedded' | 'redis' | 'baseline';
const GATEWAYS: readonly Side[] = ['embedded', 'redis', 'baseline'];
const isGateway = (side: Side) => GATEWAYS.includes(side);

interface Server {
  side: Side;
  pid: number;
  pool: Pool;
  /** Path of the Users collection: /api/users for the app, a SCIM base for the others. */
  users: string;
  headers: Record<string, string>;
  /** Ids of the seeded users as this server names them. */
  ids: string[];
}

const LABEL: Record<Side, string> = {
  direct: 'demo app direct',
  floor: 'floor (koa + undici)',
  embedded: 'gateway, embedded store',
  redis: 'gateway, Redis store',
  baseline: `baseline gateway, ${BASELINE_STORE === 'redis' ? 'Redis' : 'embedded'} store`,
};

function user(i: number, tag: string): { scim: string; app: string } {
  const userName = `${tag}-${i}@bench.example`;
  return {
    scim: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId: `x-${tag}-${i}`,
      userName,
      active: true,
      displayName: `Bench User ${i}`,
      name: { givenName: 'Bench', familyName: `User${i}` },
      emails: [{ type: 'work', primary: true, value: userName }],
    }),
    app: JSON.stringify({
      user_name: userName,
      email: userName,
      first_name: 'Bench',
      last_name: `User${i}`,
      display_name: `Bench User ${i}`,
      external_ref: `x-${tag}-${i}`,
      status: 'active',
    }),
  };
}

/** Each workload's request for server `s` in the run tagged `round` (unique per concurrency and round), i-th of it. */
const WORKLOADS: Record<string, (s: Server, round: string) => (i: number) => Request> = {
  'POST /Users': (s, round) => (i) => ({
    method: 'POST',
    path: s.users,
    headers: s.headers,
    body: s.side === 'direct' ? user(i, `${s.side}${round}`).app : user(i, `${s.side}${round}`).scim,
    expect: 201,
  }),
  'GET /Users?filter=userName eq': (s) => (i) => {
    const userName = `seed-${s.side}-${i % SEEDED}@bench.example`;
    const query =
      s.side === 'direct'
        ? `?user_name=${encodeURIComponent(userName)}`
        : `?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;
    return { method: 'GET', path: `${s.users}${query}`, headers: s.headers, expect: 200 };
  },
  'GET /Users/{id}': (s) => (i) => ({
    method: 'GET',
    path: `${s.users}/${s.ids[i % SEEDED]!}`,
    headers: s.headers,
    expect: 200,
  }),
  // The gateway's own pipeline (routing, auth, metrics, audit, rendering) with no store or app call.
  'GET /ServiceProviderConfig': (s) => () => ({
    method: 'GET',
    path: s.users.replace(/\/Users$/, '/ServiceProviderConfig'),
    headers: s.headers,
    expect: 200,
  }),
  'PATCH /Users/{id}': (s, round) => (i) => ({
    method: 'PATCH',
    path: `${s.users}/${s.ids[i % SEEDED]!}`,
    headers: s.headers,
    body: JSON.stringify(
      s.side === 'direct'
        ? { display_name: `Changed ${round}-${i}` }
        : {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Replace', path: 'displayName', value: `Changed ${round}-${i}` }],
          },
    ),
    expect: isGateway(s.side) ? 204 : 200,
  }),
};

function pinned(core: number, command: string[]): string[] {
  return PINNED ? ['taskset', '-c', String(core), ...command] : command;
}

function start(children: ChildProcess[], command: string[], env: NodeJS.ProcessEnv, cwd = ROOT): ChildProcess {
  const child = spawn(command[0]!, command.slice(1), {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

/** Starts the sides' servers; resolves with each one's address, process and seeded ids. */
async function startServers(children: ChildProcess[], work: string, redisUrl: string): Promise<Server[]> {
  const node = process.execPath;
  const demoPort = await freePort();
  const demo = start(children, pinned(1, [node, 'src/demo-app/main.ts']), {
    DEMO_APP_PORT: String(demoPort),
    DEMO_APP_RATE: '0',
    DEMO_APP_API_KEY: API_KEY,
  });
  const demoUrl = `http://127.0.0.1:${demoPort}`;
  await waitFor(`${demoUrl}/_stats`, {});
  const servers: Server[] = [];
  const appHeaders = { 'x-api-key': API_KEY, 'content-type': 'application/json' };
  const scimHeaders = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
  const pool = (url: string) => new Pool(url, { connections: Math.max(...CONCURRENCIES) });
  if (SIDES.includes('direct'))
    servers.push({
      side: 'direct',
      pid: demo.pid!,
      pool: pool(demoUrl),
      users: '/api/users',
      headers: appHeaders,
      ids: [],
    });
  if (SIDES.includes('floor')) {
    const floor = start(children, pinned(0, [node, 'bench/floor.ts']), {
      FLOOR_PORT: '0',
      FLOOR_TARGET: demoUrl,
      FLOOR_API_KEY: API_KEY,
    });
    const url = (await waitForOutput(floor, /(http:\/\/127\.0\.0\.1:\d+)\/scim\/v2/))[1]!;
    servers.push({
      side: 'floor',
      pid: floor.pid!,
      pool: pool(url),
      users: '/scim/v2/Users',
      headers: scimHeaders,
      ids: [],
    });
  }
  for (const side of GATEWAYS) {
    if (!SIDES.includes(side)) continue;
    const port = await freePort();
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const gateway = start(
      children,
      pinned(0, [node, ...flags, ...profile, 'src/main.ts']),
      {
        PORT: String(port),
        DEMO_TOKEN: TOKEN,
        DEMO_APP_URL: demoUrl,
        DEMO_APP_API_KEY: API_KEY,
        DEMO_APP_RATE: '0',
        SCIMGW_DATA_DIR: join(work, side),
        LOG_LEVEL: 'warn',
        ...(side === 'redis' ? { REDIS_URL: redisUrl } : { REDIS_URL: '' }),
        // Database 1: the baseline's mappings, locks and snapshot apart from this checkout's.
        ...(side === 'baseline' && BASELINE_STORE === 'redis' ? { REDIS_URL: `${redisUrl}/1` } : {}),
      },
      side === 'baseline' ? BASELINE : ROOT,
    );
    const url = `http://127.0.0.1:${port}`;
    await waitFor(`${url}/apps/demo/scim/v2/ServiceProviderConfig`, scimHeaders);
    servers.push({
      side,
      pid: gateway.pid!,
      pool: pool(url),
      users: '/apps/demo/scim/v2/Users',
      headers: scimHeaders,
      ids: [],
    });
  }
  for (const server of servers) await seed(server);
  return servers;
}

/** Users the reads and PATCHes use, made through each server so that each knows them by its own ids. */
async function seed(server: Server): Promise<void> {
  for (let i = 0; i < SEEDED; i++) {
    const body = user(i, `seed-${server.side}`);
    const response = await server.pool.request({
      method: 'POST',
      path: server.users,
      headers: server.headers,
      body: server.side === 'direct' ? body.app : body.scim,
    });
    const created = (await response.body.json()) as { id: string | number };
    if (response.statusCode !== 201) throw new Error(`seeding ${server.side} answered ${response.statusCode}`);
    server.ids.push(String(created.id));
  }
}

type Results = Map<Side, Result[]>;

/** Workloads only the gateway serves: reported without a ratio. */
const GATEWAY_ONLY = new Set(['GET /ServiceProviderConfig']);

async function runWorkload(all: Server[], name: string, concurrency: number): Promise<Results> {
  const servers = GATEWAY_ONLY.has(name) ? all.filter((s) => isGateway(s.side)) : all;
  const results: Results = new Map(servers.map((server) => [server.side, []]));
  // Unmeasured, so the first round of a workload does not carry the JIT's work for its code paths.
  for (const server of servers)
    if (WARMUP > 0)
      await load(server.pool, WORKLOADS[name]!(server, `c${concurrency}warm`), server.pid, {
        seconds: WARMUP,
        concurrency,
      });
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with the next side, so none is always first after a pause.
    const order = servers.map((_, index) => servers[(index + round) % servers.length]!);
    for (const server of order)
      results.get(server.side)!.push(
        await load(server.pool, WORKLOADS[name]!(server, `c${concurrency}r${round}`), server.pid, {
          seconds: SECONDS,
          concurrency,
        }),
      );
  }
  return results;
}

/** The median over rounds of `a`'s figure ÷ `b`'s in the same round. */
function paired(a: Result[], b: Result[], pick: (r: Result) => number): number {
  return median(a.map((r, i) => pick(r) / pick(b[i]!)));
}

function report(
  name: string,
  concurrency: number,
  results: Results,
): { rows: string[]; ratios: string[]; changes: string[] } {
  const rows: string[] = [];
  for (const [side, runs] of results)
    rows.push(
      `| ${name} | c${concurrency} | ${LABEL[side]} | ${median(runs.map((r) => r.rps)).toFixed(0)} | ${median(runs.map((r) => r.p50)).toFixed(2)} | ${median(runs.map((r) => r.p99)).toFixed(2)} | ${median(runs.map((r) => r.cpuPerRequest)).toFixed(0)} | ${runs.reduce((sum, r) => sum + r.errors, 0)} |`,
    );
  const floor = results.get('floor');
  const ratios: string[] = [];
  for (const side of GATEWAYS) {
    const runs = results.get(side);
    if (!runs || !floor) continue;
    ratios.push(
      `| ${name} | c${concurrency} | ${LABEL[side]} | ${paired(runs, floor, (r) => r.cpuPerRequest).toFixed(2)} | ${paired(runs, floor, (r) => r.rps).toFixed(2)} | ${paired(runs, floor, (r) => r.p50).toFixed(2)} |`,
    );
  }
  const changes: string[] = [];
  const now = results.get(BASELINE_STORE);
  const before = results.get('baseline');
  if (now && before) {
    const each = now.map((r, i) => (r.cpuPerRequest / before[i]!.cpuPerRequest).toFixed(2)).join(', ');
    changes.push(
      `| ${name} | c${concurrency} | ${paired(now, before, (r) => r.cpuPerRequest).toFixed(3)} | ${each} | ${paired(now, before, (r) => r.rps).toFixed(3)} |`,
    );
  }
  return { rows, ratios, changes };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'scimgw-bench-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  if (PINNED) spawnSync('taskset', ['-p', '-c', '1', String(process.pid)]);
  try {
    const servers = await startServers(children, work, redis.url);
    const names = process.env.BENCH_WORKLOADS?.split(',') ?? Object.keys(WORKLOADS);
    process.stdout.write(
      `bench: ${ROUNDS} rounds × ${SECONDS} s per side, Node ${process.version}, ${PINNED ? 'servers on core 0, demo app and load on core 1' : 'not pinned'}\n\n`,
    );
    const rows: string[] = [];
    const ratios: string[] = [];
    const changes: string[] = [];
    for (const concurrency of CONCURRENCIES)
      for (const name of names) {
        const out = report(name, concurrency, await runWorkload(servers, name, concurrency));
        rows.push(...out.rows);
        ratios.push(...out.ratios);
        changes.push(...out.changes);
      }
    process.stdout.write(
      `| workload | conc. | server | req/s | p50 ms | p99 ms | server CPU µs/req | errors |\n|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n\n`,
    );
    process.stdout.write(
      `Paired ratios, gateway ÷ floor (median over rounds):\n| workload | conc. | server | CPU/req | req/s | p50 |\n|---|---|---|---|---|---|\n${ratios.join('\n')}\n\n`,
    );
    if (changes.length)
      process.stdout.write(
        `This checkout ÷ ${BASELINE}, both on the ${BASELINE_STORE === 'redis' ? 'Redis' : 'embedded'} store (median over rounds, then each round):\n| workload | conc. | CPU/req | per round | req/s |\n|---|---|---|---|---|\n${changes.join('\n')}\n\n`,
      );
    for (const server of servers)
      if (isGateway(server.side))
        process.stdout.write(`${LABEL[server.side]} RSS at the end: ${(rss(server.pid) / 2 ** 20).toFixed(1)} MiB\n`);
    for (const server of servers) await server.pool.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
