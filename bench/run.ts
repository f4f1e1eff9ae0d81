/**
 * npm run bench: POST /Users and filter GET through the gateway, beside the same requests sent straight to
 * the demo app, in one run. The demo app and the gateway run as separate processes (demo mode, no rate
 * limit, embedded store in a temp dir); this process generates closed-loop load on keep-alive
 * connections. Rounds alternate direct/gateway and ratios are taken per round, then medianed, so both
 * sides see the same machine noise. Figures: requests/s, p50/p99 latency, server CPU µs per request.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_SECONDS per run (default 3), BENCH_CONCURRENCY (default 16),
 * BENCH_PROFILE=<dir> to write a V8 CPU profile of the gateway process there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';

const ROOT = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const API_KEY = 'bench-key';
const TOKEN = 'bench-token';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url, { headers })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not come up`);
}

function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  return ticks * 10_000;
}

function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: number;
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  cpuPerRequest: number;
  errors: number;
}

async function load(pool: Pool, next: (i: number) => Request, pid: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const deadline = performance.now() + SECONDS * 1000;
  const cpuBefore = cpuMicros(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const request = next(counter++);
        const t0 = performance.now();
        const response = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
        });
        await response.body.text();
        latencies.push(performance.now() - t0);
        if (response.statusCode !== request.expect) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuMicros(pid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    cpuPerRequest: cpu / latencies.length,
    errors,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function user(i: number, tag: string) {
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

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'scimgw-bench-'));
  const [demoPort, gatewayPort] = [await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const node = process.execPath;
  try {
    const demo = spawn(node, ['src/demo-app/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_APP_PORT: String(demoPort), DEMO_APP_RATE: '0', DEMO_APP_API_KEY: API_KEY },
      stdio: 'ignore',
    });
    children.push(demo);
    const demoUrl = `http://127.0.0.1:${demoPort}`;
    await waitFor(`${demoUrl}/_stats`, {});
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const gateway = spawn(node, [...profile, 'src/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(gatewayPort),
        DEMO_TOKEN: TOKEN,
        DEMO_APP_URL: demoUrl,
        DEMO_APP_API_KEY: API_KEY,
        DEMO_APP_RATE: '0',
        SCIMGW_DATA_DIR: join(work, 'data'),
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    children.push(gateway);
    const scimBase = '/apps/demo/scim/v2';
    const scimHeaders = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
    const appHeaders = { 'x-api-key': API_KEY, 'content-type': 'application/json' };
    await waitFor(`http://127.0.0.1:${gatewayPort}${scimBase}/ServiceProviderConfig`, scimHeaders);
    const gatewayRssStart = rss(gateway.pid!);
    const direct = new Pool(demoUrl, { connections: CONCURRENCY });
    const through = new Pool(`http://127.0.0.1:${gatewayPort}`, { connections: CONCURRENCY });

    // Users the filter GETs look up, created through the gateway so both sides can find them.
    const seeded = 200;
    for (let i = 0; i < seeded; i++) {
      const response = await through.request({
        method: 'POST',
        path: `${scimBase}/Users`,
        headers: scimHeaders,
        body: user(i, 'seed').scim,
      });
      await response.body.text();
    }

    const workloads = {
      'POST /Users': {
        direct:
          (round: number) =>
          (i: number): Request => ({
            method: 'POST',
            path: '/api/users',
            headers: appHeaders,
            body: user(i, `d${round}`).app,
            expect: 201,
          }),
        gateway:
          (round: number) =>
          (i: number): Request => ({
            method: 'POST',
            path: `${scimBase}/Users`,
            headers: scimHeaders,
            body: user(i, `g${round}`).scim,
            expect: 201,
          }),
      },
      'GET /Users?filter=userName eq': {
        direct:
          () =>
          (i: number): Request => ({
            method: 'GET',
            path: `/api/users?user_name=${encodeURIComponent(`seed-${i % seeded}@bench.example`)}`,
            headers: appHeaders,
            expect: 200,
          }),
        gateway:
          () =>
          (i: number): Request => ({
            method: 'GET',
            path: `${scimBase}/Users?filter=${encodeURIComponent(`userName eq "seed-${i % seeded}@bench.example"`)}`,
            headers: scimHeaders,
            expect: 200,
          }),
      },
    };

    process.stdout.write(
      `bench: ${ROUNDS} rounds × ${SECONDS}s per side, concurrency ${CONCURRENCY}, Node ${process.version}\n\n`,
    );
    const header =
      '| workload | side | req/s | p50 ms | p99 ms | server CPU µs/req | errors |\n|---|---|---|---|---|---|---|';
    const rows: string[] = [];
    const ratioRows: string[] = [];
    for (const [name, workload] of Object.entries(workloads)) {
      const results: { direct: Result[]; gateway: Result[] } = { direct: [], gateway: [] };
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const);
        for (const side of order) {
          const pool = side === 'direct' ? direct : through;
          // CPU is charged to the gateway process for gateway runs (the demo app's share is its own).
          const pid = side === 'direct' ? demo.pid! : gateway.pid!;
          results[side].push(await load(pool, workload[side](round), pid));
        }
      }
      for (const side of ['direct', 'gateway'] as const) {
        const r = results[side];
        rows.push(
          `| ${name} | ${side === 'direct' ? 'demo app direct' : 'through gateway'} | ${median(r.map((x) => x.rps)).toFixed(0)} | ${median(r.map((x) => x.p50)).toFixed(2)} | ${median(r.map((x) => x.p99)).toFixed(2)} | ${median(r.map((x) => x.cpuPerRequest)).toFixed(0)} | ${r.reduce((sum, x) => sum + x.errors, 0)} |`,
        );
      }
      const paired = (pick: (r: Result) => number) =>
        median(results.gateway.map((g, i) => pick(g) / pick(results.direct[i]!)));
      ratioRows.push(
        `| ${name} | ${paired((r) => r.rps).toFixed(3)} | ${paired((r) => r.p50).toFixed(2)} | ${paired((r) => r.p99).toFixed(2)} |`,
      );
    }
    process.stdout.write(`${header}\n${rows.join('\n')}\n\n`);
    process.stdout.write(
      `Paired ratios, gateway ÷ direct (median over rounds):\n| workload | req/s | p50 | p99 |\n|---|---|---|---|\n${ratioRows.join('\n')}\n\n`,
    );
    const stats = (await (await fetch(`${demoUrl}/_stats`)).json()) as Record<string, number>;
    process.stdout.write(
      `Gateway RSS: ${(gatewayRssStart / 2 ** 20).toFixed(1)} MiB at start, ${(rss(gateway.pid!) / 2 ** 20).toFixed(1)} MiB after ${stats.users} users.\n`,
    );
    await direct.close();
    await through.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
