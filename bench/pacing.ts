/**
 * npm run bench:pacing: can three replicas feed an app exactly at its budget while Entra bursts faster?
 *
 * The demo app (its own process) allows BUDGET requests a second; three gateway replicas share one Redis
 * and that budget; an open-loop Entra-like burst sends OPS creates and updates at RATE requests a second
 * (each on its own schedule, whatever the answers), round-robin over the replicas. Printed: outbound rate ÷
 * budget while the gateway is busy (goal 0.95–1.00), 429s the app sent (goal 0), the slowest SCIM answer
 * (goal < 60 s), 503s, and operations lost (goal 0: every user that got 201 exists exactly once).
 *
 * Environment: PACING_BUDGET (20), PACING_RATE (30), PACING_OPS (600).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '../test/helpers/redis-server.ts';
import { waitForOutput } from './wait-for-output.ts';

const ROOT = join(import.meta.dirname, '..');
const BUDGET = Number(process.env.PACING_BUDGET ?? 20);
const RATE = Number(process.env.PACING_RATE ?? 30);
const OPS = Number(process.env.PACING_OPS ?? 600);
const TOKEN = 'bench-token';

interface Result {
  op: 'create' | 'update';
  userName: string;
  status: number;
  ms: number;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-pacing-'));
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  try {
    const demo = spawn(process.execPath, ['src/demo-app/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_APP_PORT: '0', DEMO_APP_API_KEY: 'k', DEMO_APP_RATE: String(BUDGET) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(demo);
    const demoUrl = (await waitForOutput(demo, /(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `apiVersion: scimgw/v1\nkind: Gateway\nstore: { type: redis, url: "${redis.url}" }\nconnectorDirs: ["${join(ROOT, 'connectors')}"]\n` +
        `apps:\n  - { id: demo, connector: demo, tokens: [env:T], settings: { baseUrl: "${demoUrl}" }, secrets: { apiKey: env:K }, rateLimit: { requests: ${BUDGET}, per: 1s, concurrency: 8 } }\n`,
    );
    const replicas: string[] = [];
    for (let i = 0; i < 3; i++) {
      const gateway = spawn(process.execPath, ['src/main.ts', '--config', config], {
        cwd: ROOT,
        env: { ...process.env, T: TOKEN, K: 'k', PORT: '0', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(gateway);
      replicas.push(
        `${(await waitForOutput(gateway, /(http:\/\/127\.0\.0\.1:\d+)\/apps\/demo/))[1]!}/apps/demo/scim/v2`,
      );
    }
    const stats = async () =>
      (await (await fetch(`${demoUrl}/_stats`)).json()) as { requests: number; rate_limited: number; users: number };
    const before = await stats();

    // Sample the app's request count to find the rate while the gateway is busy.
    const samples: { at: number; requests: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: performance.now(), requests: (await stats()).requests });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const created: string[] = [];
    const results: Result[] = [];
    const t0 = performance.now();
    const send = async (i: number) => {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + (i * 1000) / RATE - performance.now())));
      const base = replicas[i % replicas.length]!;
      const update = i % 4 === 3 && created.length > 0;
      const userName = update ? created[(i * 7) % created.length]! : `burst-${i}@bench.example`;
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' };
      const begin = performance.now();
      let status: number;
      if (update) {
        const found = await fetch(
          `${base}/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&attributes=id`,
          { headers },
        );
        const id = ((await found.json()) as { Resources: { id: string }[] }).Resources[0]?.id;
        const response = await fetch(`${base}/Users/${id}`, {
          method: 'PATCH',
          headers,
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Replace', path: 'title', value: `Title ${i}` }],
          }),
        });
        await response.text();
        status = response.status;
      } else {
        const response = await fetch(`${base}/Users`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName,
            externalId: `x-${i}`,
            active: true,
            name: { givenName: 'Burst', familyName: String(i) },
            emails: [{ type: 'work', primary: true, value: userName }],
          }),
        });
        await response.text();
        status = response.status;
        if (status === 201) created.push(userName);
      }
      results.push({ op: update ? 'update' : 'create', userName, status, ms: performance.now() - begin });
    };
    await Promise.all(Array.from({ length: OPS }, (_, i) => send(i)));
    const sendSeconds = (OPS - 1) / RATE;
    sampling = false;
    await sampler;
    const after = await stats();

    // Busy period: from the first to the last sample in which the app's count grew.
    const growing = samples.filter((sample, index) => index > 0 && sample.requests > samples[index - 1]!.requests);
    const first = samples[Math.max(0, samples.indexOf(growing[0]!) - 1)]!;
    const last = growing.at(-1)!;
    const outboundRate = (last.requests - first.requests) / ((last.at - first.at) / 1000);
    const appCalls = after.requests - before.requests;
    const createdOk = results.filter((r) => r.op === 'create' && r.status === 201);
    // Read the app's users page by page, slowly enough to stay inside its own rate limit.
    const inApp = new Map<string, number>();
    for (let page = 1; page < 1000; page++) {
      await new Promise((resolve) => setTimeout(resolve, 1000 / BUDGET + 10));
      const response = await fetch(`${demoUrl}/api/users?page=${page}&per_page=100`, { headers: { 'x-api-key': 'k' } });
      const body = (await response.json()) as { users: { user_name: string }[] };
      for (const user of body.users) inApp.set(user.user_name, (inApp.get(user.user_name) ?? 0) + 1);
      if (body.users.length < 100) break;
    }
    const lost = createdOk.filter((result) => inApp.get(result.userName) !== 1).length;
    const statuses = new Map<number, number>();
    for (const result of results) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    const slowest = Math.max(...results.map((r) => r.ms));

    process.stdout.write(
      `bench:pacing — app budget ${BUDGET}/s, 3 replicas on one Redis, ${OPS} operations sent at ${RATE}/s over ${sendSeconds.toFixed(1)} s\n\n`,
    );
    process.stdout.write('| measure | value | goal |\n|---|---|---|\n');
    process.stdout.write(
      `| outbound rate ÷ budget (busy period) | ${(outboundRate / BUDGET).toFixed(3)} (${outboundRate.toFixed(2)}/s) | 0.95–1.00 |\n`,
    );
    process.stdout.write(`| 429s the app sent | ${after.rate_limited - before.rate_limited} | 0 |\n`);
    process.stdout.write(`| slowest SCIM answer | ${(slowest / 1000).toFixed(2)} s | < 60 s |\n`);
    process.stdout.write(`| operations lost (201 not exactly once in the app) | ${lost} | 0 |\n`);
    process.stdout.write(
      `| SCIM answers | ${[...statuses].map(([status, count]) => `${status}×${count}`).join(', ')} | 201/204 |\n`,
    );
    process.stdout.write(`| app calls | ${appCalls} over ${((last.at - t0) / 1000).toFixed(1)} s | |\n`);
    if (process.env.PACING_TRACE) {
      const perSecond = samples.map((sample, index) =>
        index ? ((sample.requests - samples[index - 1]!.requests) * 1000) / (sample.at - samples[index - 1]!.at) : 0,
      );
      process.stdout.write(`app calls/s every 200 ms: ${perSecond.map((v) => v.toFixed(0)).join(' ')}\n`);
    }
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
