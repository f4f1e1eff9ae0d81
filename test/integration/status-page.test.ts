/**
 * The operator status page: /admin/status (HTML) and /admin/status.json behind the admin token, fed by
 * real traffic through the whole stack, and the HTML as headless Chromium renders it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestLog } from '../../src/admin/request-log.ts';
import { gatherStatus, type GatewayStatus } from '../../src/admin/status-data.ts';
import { escapeHtml, renderStatusPage } from '../../src/admin/status-page.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { Pacer } from '../../src/outbound/pacer.ts';
import { entraUser, startStack, type Stack } from '../helpers/stack.ts';

const ADMIN = 'admin-token-abcdef0123456789';
const CHROMIUM = '/usr/bin/chromium';
// Chromium's own background traffic is refused by this machine's closed network; these keep it quiet.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let stack: Stack;
// null: no Authorization header at all.
const admin = (path: string, token: string | null = ADMIN) =>
  fetch(`${stack.gateway.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

beforeAll(async () => {
  stack = await startStack({ adminToken: ADMIN });
  expect((await stack.scim('POST', '/Users', entraUser('status-ok@contoso.com'))).status).toBe(201);
  expect((await stack.scim('GET', '/Users?filter=userName eq "status-ok@contoso.com"')).status).toBe(200);
  // A failing request with a request id of our own, and one with a wrong token.
  expect(
    (await stack.scim('GET', '/Users/does-not-exist', undefined, { 'x-request-id': 'req-missing-user-1' })).status,
  ).toBe(404);
  expect(
    (await stack.scim('GET', '/Users', undefined, { authorization: 'Bearer wrong', 'x-request-id': 'req-bad-token-2' }))
      .status,
  ).toBe(401);
});
afterAll(async () => {
  await stack?.close();
});

describe('admin status over HTTP', () => {
  it('answers 401 without or with a wrong admin token, and an app token does not open it', async () => {
    for (const path of ['/admin/status', '/admin/status.json']) {
      for (const token of [null, 'wrong-token', 'test-token-0123456789']) {
        const response = await admin(path, token);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
        expect(await response.text()).not.toContain('demo');
      }
    }
  });

  it('serves JSON with connector, health, traffic, queue and the last errors (no bodies, no paths)', async () => {
    const response = await admin('/admin/status.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const status = (await response.json()) as GatewayStatus;
    expect(status.apps.map((app) => app.id)).toEqual(['demo', 'other']);
    const demo = status.apps[0]!;
    expect(demo.connector).toEqual({ id: 'demo', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(demo.health).toBe('closed');
    // The wrong token is counted as refused, not listed: anyone can send those.
    expect(demo.traffic).toMatchObject({ windowSeconds: 300, requests: 3, errors: 1, serverErrors: 0, refused: 1 });
    expect(demo.queue).toEqual({ waiting: 0, inFlight: 0, drainEstimateMs: 0 });
    expect(demo.budget).toBeNull(); // the stack runs its apps unpaced
    expect(demo.lastErrors).toEqual([
      {
        requestId: 'req-missing-user-1',
        time: expect.any(String),
        method: 'GET',
        status: 404,
        code: 'SCIMGW_NOT_FOUND',
      },
    ]);
    expect(JSON.stringify(status)).not.toMatch(/does-not-exist|contoso|wrong/);
    expect(status.apps[1]!.traffic.requests).toBe(0);
  });

  it('serves a self-refreshing HTML page with no script allowed', async () => {
    const response = await admin('/admin/status');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await response.text();
    expect(html).toContain('<meta http-equiv="refresh" content="10">');
    expect(html).toContain('req-missing-user-1');
    expect(html).not.toContain('<script');
  });

  it('answers 404 when no admin token is configured', async () => {
    const plain = await startStack();
    try {
      for (const path of ['/admin/status', '/admin/status.json']) {
        const response = await fetch(`${plain.gateway.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
        expect(response.status).toBe(404);
      }
    } finally {
      await plain.close();
    }
  });
});

describe('status page parts', () => {
  it('escapes every value, so an app id with <script> stays text', async () => {
    const metrics = createMetrics();
    metrics.circuitState.set({ app: '<script>alert(1)</script>' }, 2);
    const log = new RequestLog();
    log.record('<script>alert(1)</script>', 500, { requestId: '"><img src=x>', method: 'GET', code: '<b>X</b>' });
    const app = {
      id: '<script>alert(1)</script>',
      connector: { id: 'demo', manifest: { metadata: { version: '1.0.0' } } },
    };
    const html = renderStatusPage(await gatherStatus([app], log, metrics.circuitState));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>X');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x&gt;');
    expect(html).toContain('circuit open');
    expect(escapeHtml(`a&b'c`)).toBe('a&amp;b&#39;c');
  });

  it("reports a pacer's queue and budget, and unknown health for an app without a circuit sample", async () => {
    const metrics = createMetrics();
    const pacer = new Pacer({ app: 'paced', requests: 5, perMs: 1000, concurrency: 1 });
    try {
      const status = await gatherStatus(
        [
          {
            id: 'paced',
            connector: { id: 'demo', manifest: { metadata: { version: '1.2.3' } } },
            pacer,
            budget: { requests: 5, perMs: 1000 },
          },
        ],
        new RequestLog(),
        metrics.circuitState,
      );
      expect(status.apps[0]).toMatchObject({
        health: 'unknown',
        queue: { waiting: 0, inFlight: 0 },
        budget: { requests: 5, perMs: 1000 },
      });
      expect(renderStatusPage(status)).toContain('5 requests per 1 s');
    } finally {
      pacer.close();
    }
  });

  it('counts only the last five minutes and keeps the last 20 errors, newest first', () => {
    let now = 1_000_000_000_000;
    const log = new RequestLog(() => now);
    for (let i = 0; i < 25; i++)
      log.record('a', i % 2 ? 200 : 503, { requestId: `r${i}`, method: 'POST', code: 'SCIMGW_UNAVAILABLE' });
    let summary = log.summary('a');
    expect(summary).toMatchObject({ requests: 25, errors: 13, serverErrors: 13 });
    expect(summary.lastErrors).toHaveLength(13);
    for (let i = 0; i < 20; i++) log.record('a', 404, { requestId: `n${i}`, method: 'GET', code: 'SCIMGW_NOT_FOUND' });
    summary = log.summary('a');
    expect(summary.lastErrors).toHaveLength(20);
    expect(summary.lastErrors[0]!.requestId).toBe('n19');
    now += 299_000;
    expect(log.summary('a').requests).toBe(45);
    now += 1_000;
    expect(log.summary('a').requests).toBe(0);
    log.record('a', 200, { requestId: 'late', method: 'GET', code: '' });
    expect(log.summary('a')).toMatchObject({ requests: 1, errors: 0 });
  });
});

describe.skipIf(!existsSync(CHROMIUM))(
  `status page in headless Chromium${existsSync(CHROMIUM) ? '' : ` (skipped: ${CHROMIUM} is missing; apt-get install -y chromium)`}`,
  () => {
    it(
      'shows the apps, connector, health and the failing request, and screenshots it',
      { timeout: 30_000 },
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'status-page-'));
        const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
        try {
          const denied = await browser.newContext();
          const refused = await (await denied.newPage()).goto(`${stack.gateway.url}/admin/status`);
          expect(refused?.status()).toBe(401);
          await denied.close();

          const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${ADMIN}` } });
          const page = await context.newPage();
          const response = await page.goto(`${stack.gateway.url}/admin/status`);
          expect(response?.status()).toBe(200);
          expect(await page.title()).toBe('SCIM gateway status');
          const demo = page.locator('section[data-app="demo"]');
          await expect.poll(() => demo.locator('h2').innerText()).toBe('demo');
          expect(await page.locator('section[data-app="other"] h2').innerText()).toBe('other');
          const text = await demo.innerText();
          expect(text).toMatch(/connector\s+demo \d+\.\d+\.\d+/);
          expect(text).toContain('circuit closed');
          expect(text).toMatch(/3 requests, 1 errors/);
          expect(text).toContain('1 refused for a missing or wrong token');
          const row = demo.locator('tr', { hasText: 'req-missing-user-1' });
          expect(await row.innerText()).toMatch(/req-missing-user-1\s+GET\s+404\s+SCIMGW_NOT_FOUND/);

          const file = join(dir, 'status.png');
          await page.screenshot({ path: file, fullPage: true });
          const png = readFileSync(file);
          expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
          expect(png.length).toBeGreaterThan(5_000);
          await context.close();
        } finally {
          await browser.close();
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
