/**
 * The embedded store when its disk misbehaves, on real files: the database deleted while running, a lock
 * held by another connection, and a full disk (the gateway in a child process with `ulimit -f`). Each
 * time: 503 with Retry-After, /readyz not ready, nothing sent to the app once the store refused, and no
 * mapping Entra was told about lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/schema.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { entraUser, patchBody, ROOT } from '../helpers/stack.ts';

const TOKEN = 'store-faults-token-5a1c';
const API_KEY = 'store-faults-key-77';
const dirs: string[] = [];
const demos: DemoApp[] = [];
afterAll(async () => {
  for (const demo of demos) await demo.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-store-'));
  dirs.push(dir);
  return dir;
}

async function demoApp(): Promise<{ demo: DemoApp; url: string }> {
  const demo = createDemoApp({ apiKey: API_KEY, rate: 0 });
  demos.push(demo);
  return { demo, url: (await demo.listen()).url };
}

async function gatewayOn(dataDir: string, appUrl: string): Promise<RunningGateway> {
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '10s', maxBodyBytes: 1024 * 1024 },
    store: { type: 'embedded', dataDir },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: ['env:T'],
        settings: { baseUrl: appUrl },
        secrets: { apiKey: 'env:K' },
        rateLimit: { requests: 0, per: '1s', concurrency: 8, buckets: {} },
      },
    ],
  };
  return startGateway({ config, env: { T: TOKEN, K: API_KEY }, logger: silentLogger() });
}

async function scim(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}/apps/demo/scim/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
  };
}

describe('the embedded store on a failing disk', () => {
  it('refuses everything once its database file is deleted while running, before calling the app', async () => {
    const dir = tempDir();
    const { demo, url } = await demoApp();
    const gateway = await gatewayOn(dir, url);
    try {
      const kept = await scim(gateway.url, 'POST', '/Users', entraUser('kept@contoso.test'));
      expect(kept.status).toBe(201);
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, `scimgw.sqlite${suffix}`), { force: true });
      const calls = demo.log.length;
      const refused = await scim(gateway.url, 'POST', '/Users', entraUser('lost@contoso.test'));
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(refused.body!.detail).toMatch(/^The gateway's id store is unavailable; retry later/);
      expect(
        (
          await scim(
            gateway.url,
            'PATCH',
            `/Users/${kept.body!.id}`,
            patchBody({ op: 'Replace', path: 'title', value: 'x' }),
          )
        ).status,
      ).toBe(503);
      expect(demo.log.length).toBe(calls);
      const ready = await fetch(`${gateway.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { store: string } }).checks.store).toMatch(/failing/);
      expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 while another connection holds the write lock, keeps /livez answering, and recovers when it is released', async () => {
    const dir = tempDir();
    const { demo, url } = await demoApp();
    const gateway = await gatewayOn(dir, url);
    const other = new DatabaseSync(join(dir, 'scimgw.sqlite'));
    try {
      other.exec('BEGIN EXCLUSIVE');
      const calls = demo.log.length;
      const refused = await scim(gateway.url, 'POST', '/Users', entraUser('locked@contoso.test'));
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(demo.log.length).toBe(calls);
      expect((await fetch(`${gateway.url}/livez`)).status).toBe(200);
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
      other.exec('ROLLBACK');
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
      expect((await scim(gateway.url, 'POST', '/Users', entraUser('locked@contoso.test'))).status).toBe(201);
    } finally {
      if (other.isOpen) other.close();
      await gateway.close();
    }
  });

  it('on a full disk: 503 with Retry-After, no app call while the store refuses, not ready, and every user answered 201 still mapped after a restart', async () => {
    const dir = tempDir();
    const { demo, url } = await demoApp();
    const start = (limitKb?: number) => startChild(dir, url, limitKb);
    // The file that fills must be the database, in which no checkpoint can make room. With the WAL alone
    // at the limit, the next checkpoint (every 200 ms) recycles it, and the store rightly becomes ready
    // again before the test has asked.
    await (await start()).stop();
    fillDatabase(join(dir, 'scimgw.sqlite'), LIMIT_KB * 1024 - 32 * 1024);
    const full = await start(LIMIT_KB);
    const created: { id: string; userName: string }[] = [];
    let refused: (Awaited<ReturnType<typeof scim>> & { userName: string }) | undefined;
    try {
      for (let index = 0; index < 3000 && !refused; index++) {
        const userName = `full-${index}@contoso.test`;
        const reply = await scim(full.origin, 'POST', '/Users', entraUser(userName));
        if (reply.status === 201) created.push({ id: String(reply.body!.id), userName });
        else refused = { ...reply, userName };
      }
      expect(refused, 'the disk never filled').toBeDefined();
      expect(refused!.status).toBe(503);
      expect(Number(refused!.retryAfter)).toBeGreaterThan(0);
      expect(created.length).toBeGreaterThan(10);
      // The write that failed may have come after the app call (the create reached the app, its record
      // could not be completed); after that refusal nothing reaches the app while the store refuses.
      const inApp = () => demo.store.listUsers({}).items.length;
      expect([created.length, created.length + 1]).toContain(inApp());
      const calls = demo.log.length;
      expect(
        (
          await scim(
            full.origin,
            'PATCH',
            `/Users/${created[0]!.id}`,
            patchBody({ op: 'Replace', path: 'title', value: 'x' }),
          )
        ).status,
      ).toBe(503);
      expect(demo.log.length).toBe(calls);
      expect((await fetch(`${full.origin}/readyz`)).status).toBe(503);
    } finally {
      await full.stop();
    }
    const roomy = await start();
    try {
      for (const user of [created[0]!, created.at(-1)!]) {
        const read = await scim(roomy.origin, 'GET', `/Users/${user.id}`);
        expect(read.status).toBe(200);
        expect(read.body!.userName).toBe(user.userName);
      }
      // Entra retries the refused create: it is linked to what the app has, not made twice.
      const retried = await scim(roomy.origin, 'POST', '/Users', entraUser(refused!.userName));
      expect(retried.status).toBe(201);
      expect(demo.store.listUsers({}).items.filter((user) => user.user_name === refused!.userName)).toHaveLength(1);
      const listed = await scim(roomy.origin, 'GET', '/Users?startIndex=1&count=1');
      expect(listed.body!.totalResults).toBe(created.length + 1);
    } finally {
      await roomy.stop();
    }
  });
});

/** The full-disk test's `ulimit -f`, in KiB: a limit on the size of each file the gateway writes. */
const LIMIT_KB = 2048;

/** Grows the database file at `file` to about `bytes` with a table the gateway does not read. */
function fillDatabase(file: string, bytes: number): void {
  const db = new DatabaseSync(file);
  try {
    const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
    const { page_size: pageSize } = db.prepare('PRAGMA page_size').get() as { page_size: number };
    db.exec('CREATE TABLE filler (data BLOB)');
    db.prepare('INSERT INTO filler VALUES (zeroblob(?))').run(bytes - pages * pageSize);
  } finally {
    // The last connection to close checkpoints the WAL into the file.
    db.close();
  }
}

/** The gateway as its own process (demo mode against the test's demo app), optionally with `ulimit -f`. */
async function startChild(
  dataDir: string,
  demoUrl: string,
  fileLimitKb?: number,
): Promise<{ origin: string; stop(): Promise<void> }> {
  const command = `${fileLimitKb ? `ulimit -f ${fileLimitKb}; ` : ''}exec "${process.execPath}" src/main.ts`;
  const child: ChildProcess = spawn('bash', ['-c', command], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DEMO_TOKEN: TOKEN,
      DEMO_APP_URL: demoUrl,
      DEMO_APP_API_KEY: API_KEY,
      DEMO_APP_RATE: '0',
      SCIMGW_DATA_DIR: dataDir,
      LOG_LEVEL: 'fatal',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  const tenant = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const match = /Tenant URL:\s+(\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return {
    origin: new URL(tenant).origin,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
