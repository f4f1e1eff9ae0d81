/**
 * SIGTERM drains: the gateway process (demo mode, against an in-test demo app whose calls are slow) gets
 * SIGTERM while a create is in flight. /readyz answers 503 at once, the create still ends 201, new
 * connections are refused once the listener closes, and the process exits 0.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDemoApp } from '../../src/demo-app/server.ts';
import { entraUser, ROOT } from '../helpers/stack.ts';

const TOKEN = 'drain-token-81f0c3';
const API_KEY = 'drain-app-key-2d9e';
const dir = mkdtempSync(join(tmpdir(), 'scimgw-drain-'));
const demo = createDemoApp({ apiKey: API_KEY, rate: 0 });

afterAll(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One request on a fresh connection (no keep-alive pool), so "refused" means the listener is closed. */
function fresh(url: string, init: { method?: string; body?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: init.method ?? 'GET',
        agent: false,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('SIGTERM', () => {
  it('fails readiness, finishes the request in flight, refuses new connections and exits 0', async () => {
    const { url: demoUrl } = await demo.listen();
    const child = spawn(process.execPath, [join(ROOT, 'src', 'main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        DEMO_TOKEN: TOKEN,
        DEMO_APP_URL: demoUrl,
        DEMO_APP_API_KEY: API_KEY,
        DEMO_APP_RATE: '0',
        SCIMGW_DATA_DIR: dir,
        LOG_LEVEL: 'warn',
        SHUTDOWN_DELAY_MS: '800',
        SHUTDOWN_TIMEOUT_MS: '10000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let output = '';
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const tenant = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${output}`)), 10_000);
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
        const match = /Tenant URL:\s+(\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const origin = new URL(tenant).origin;
    expect((await fresh(`${origin}/readyz`)).status).toBe(200);

    demo.setFaults({ rate: 1, kinds: ['slow'], slowMs: 1200 });
    const inFlight = fresh(`${tenant}/Users`, { method: 'POST', body: JSON.stringify(entraUser('drain@contoso.com')) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 150));

    const ready = await fresh(`${origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body).checks.draining).toBe('yes');

    const created = await inFlight;
    expect(created.status, created.body).toBe(201);
    // Past the readiness delay the listener is closed.
    await new Promise((resolve) => setTimeout(resolve, 900));
    await expect(fresh(`${origin}/livez`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await exited, output).toBe(0);
  }, 20_000);
});
