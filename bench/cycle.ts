/**
 * npm run bench:cycle: what an Entra provisioning cycle costs the app, with the app snapshot off and on.
 * The demo app allows 20 calls/s and the gateway's budget for it is the same. Like Entra, each new user is
 * first looked up by userName and then created (initial sync); each changed user is read and then PATCHed
 * (incremental cycle). App calls are the demo app's own count (snapshot listings included); the writes-only
 * limit is the time the writes alone need at the budget, so 1.0 is as fast as the app allows.
 *
 * Environment: CYCLE_USERS (default 2000), CYCLE_CHANGED (default 500), CYCLE_RATE (default 20),
 * CYCLE_CONCURRENCY (Entra-like parallel requests, default 8), CYCLE_MODES (default "off,on").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { waitForOutput } from './wait-for-output.ts';

const ROOT = join(import.meta.dirname, '..');
const USERS = Number(process.env.CYCLE_USERS ?? 2000);
const CHANGED = Math.min(USERS, Number(process.env.CYCLE_CHANGED ?? 500));
const RATE = Number(process.env.CYCLE_RATE ?? 20);
const CONCURRENCY = Number(process.env.CYCLE_CONCURRENCY ?? 8);
const MODES = (process.env.CYCLE_MODES ?? 'off,on').split(',') as ('off' | 'on')[];
const SCIM = '/apps/demo/scim/v2';
const HEADERS = { authorization: 'Bearer t', 'content-type': 'application/scim+json' };

interface Phase {
  name: string;
  users: number;
  writes: number;
  appCalls: number;
  seconds: number;
  failures: number;
}

async function appCalls(demoUrl: string): Promise<number> {
  const stats = (await (await fetch(`${demoUrl}/_stats`)).json()) as { requests: number };
  return stats.requests;
}

/** Runs `work(i)` for i in [0, count) on CONCURRENCY workers; returns failures. */
async function parallel(count: number, work: (i: number) => Promise<boolean>): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) if (!(await work(next++))) failures++;
    }),
  );
  return failures;
}

interface Answer {
  status: number;
  json: { totalResults?: number; id?: string } | undefined;
}

async function send(pool: Pool, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<Answer> {
  const response = await pool.request({
    method,
    path,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: text ? (JSON.parse(text) as Answer['json']) : undefined };
}

function entraUser(i: number): Record<string, unknown> {
  const userName = `cycle-${i}@bench.example`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName,
    externalId: `x-${i}`,
    active: true,
    displayName: `Cycle User ${i}`,
    name: { givenName: 'Cycle', familyName: `User ${i}` },
    emails: [{ type: 'work', primary: true, value: userName }],
  };
}

async function measure(
  name: string,
  users: number,
  demoUrl: string,
  run: () => Promise<number>,
  since: number,
): Promise<Phase> {
  const started = performance.now();
  const failures = await run();
  const seconds = (performance.now() - started) / 1000;
  return { name, users, writes: users, appCalls: (await appCalls(demoUrl)) - since, seconds, failures };
}

async function runMode(mode: 'off' | 'on', dir: string): Promise<Phase[]> {
  const children: ChildProcess[] = [];
  try {
    const demo = spawn(process.execPath, ['src/demo-app/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, DEMO_APP_PORT: '0', DEMO_APP_API_KEY: 'k', DEMO_APP_RATE: String(RATE) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(demo);
    const demoUrl = (await waitForOutput(demo, /(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    const config = join(dir, `gateway-${mode}.yaml`);
    const snapshot = mode === 'on' ? ', snapshot: { every: 1h }' : '';
    writeFileSync(
      config,
      `apiVersion: scimgw/v1\nkind: Gateway\nstore: { type: embedded, dataDir: "${join(dir, mode)}" }\nconnectorDirs: ["${join(ROOT, 'connectors')}"]\napps:\n  - { id: demo, connector: demo, tokens: [env:T], settings: { baseUrl: "${demoUrl}" }, secrets: { apiKey: env:K }, rateLimit: { requests: ${RATE}, per: 1s }${snapshot} }\n`,
    );
    const gateway = spawn(process.execPath, ['src/main.ts', '--config', config], {
      cwd: ROOT,
      env: { ...process.env, T: 't', K: 'k', PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(gateway);
    const origin = (await waitForOutput(gateway, /(http:\/\/127\.0\.0\.1:\d+)\/apps\/demo/))[1]!;
    const pool = new Pool(origin, { connections: CONCURRENCY });
    const ids: string[] = [];
    // Entra's initial sync: a match query for each user, then the create.
    const initial = await measure(
      'initial sync (match query, create)',
      USERS,
      demoUrl,
      () =>
        parallel(USERS, async (i) => {
          const user = entraUser(i);
          const filter = encodeURIComponent(`userName eq "${String(user.userName)}"`);
          const found = await send(pool, 'GET', `${SCIM}/Users?filter=${filter}`);
          if (found.status !== 200 || found.json?.totalResults !== 0) return false;
          const created = await send(pool, 'POST', `${SCIM}/Users`, user);
          if (created.status !== 201) return false;
          ids[i] = created.json?.id ?? '';
          return true;
        }),
      0,
    );
    const before = await appCalls(demoUrl);
    // An incremental cycle: Entra reads each changed user, then PATCHes what changed.
    const incremental = await measure(
      'incremental (read, PATCH)',
      CHANGED,
      demoUrl,
      () =>
        parallel(CHANGED, async (i) => {
          const id = ids[i];
          if (!id) return false;
          const read = await send(pool, 'GET', `${SCIM}/Users/${id}`);
          if (read.status !== 200) return false;
          const patch = await send(pool, 'PATCH', `${SCIM}/Users/${id}`, {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
            Operations: [{ op: 'Replace', path: 'displayName', value: `Changed ${i}` }],
          });
          return patch.status === 200 || patch.status === 204;
        }),
      before,
    );
    await pool.close();
    return [initial, incremental];
  } finally {
    for (const child of children) child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-cycle-'));
  process.stdout.write(
    `cycle bench: ${USERS} new users, ${CHANGED} changed, app and budget ${RATE} calls/s, ${CONCURRENCY} parallel requests, Node ${process.version}\n\n`,
  );
  process.stdout.write(
    '| snapshot | phase | users | app calls | app calls per user | wall s | writes-only limit s | wall ÷ limit | failures |\n|---|---|---|---|---|---|---|---|---|\n',
  );
  try {
    for (const mode of MODES) {
      for (const phase of await runMode(mode, dir)) {
        const limit = phase.writes / RATE;
        process.stdout.write(
          `| ${mode} | ${phase.name} | ${phase.users} | ${phase.appCalls} | ${(phase.appCalls / phase.users).toFixed(3)} | ${phase.seconds.toFixed(1)} | ${limit.toFixed(1)} | ${(phase.seconds / limit).toFixed(3)} | ${phase.failures} |\n`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

await main();
