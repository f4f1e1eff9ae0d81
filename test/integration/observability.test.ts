/**
 * What an operator sees: /metrics after real traffic, the request id round trip, an audit event per
 * provisioning operation, and no personal data or secret in any log or audit line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/schema.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { entraUser, patchBody, ROOT } from '../helpers/stack.ts';

const TOKEN = 'obs-scim-token-5b1e9c0d7a';
const API_KEY = 'obs-app-key-3c8f2a6e41';
const NAME = { givenName: 'Zyxwvutsr', familyName: 'Qponmlk' };
const EMAIL = 'pii.canary.7f3a@contoso.com';
const PHONE = '+1 555 0199 7731';
const STREET = '42 Canary Wharf Lane';
const CANARIES = ['Zyxwvutsr', 'Qponmlk', 'pii.canary', '555 0199', '0199 7731', 'Canary Wharf', TOKEN, API_KEY];

let demo: DemoApp;
let gateway: RunningGateway;
let dir: string;
const lines: string[] = [];
const base = () => `${gateway.url}/apps/demo/scim/v2`;

async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base()}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'scimgw-obs-'));
  demo = createDemoApp({ apiKey: API_KEY, rate: 0 });
  const { url } = await demo.listen();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '10s', maxBodyBytes: 1024 * 1024 },
    store: { type: 'embedded', dataDir: dir },
    connectorDirs: [join(ROOT, 'connectors')],
    observability: { logPersonalData: false, audit: { stdout: true, file: join(dir, 'audit', 'audit.jsonl') } },
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: ['env:OBS_TOKEN'],
        settings: { baseUrl: url },
        secrets: { apiKey: 'env:OBS_KEY' },
        rateLimit: { requests: 0, per: '1s', concurrency: 16, buckets: {} },
      },
    ],
  };
  // debug: whatever the gateway logs at any level is scanned.
  gateway = await startGateway({
    config,
    env: { OBS_TOKEN: TOKEN, OBS_KEY: API_KEY },
    logger: createLogger({ level: 'debug', destination: sink }),
  });
});

afterAll(async () => {
  await gateway?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
});

const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const auditFile = () =>
  readFileSync(join(dir, 'audit', 'audit.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('observability', () => {
  let userId = '';

  // One provisioning session, before any test looks at what it left: each test then stands alone, in any order.
  beforeAll(async () => {
    const user = entraUser(EMAIL, {
      name: { formatted: `${NAME.givenName} ${NAME.familyName}`, ...NAME },
      displayName: `${NAME.givenName} ${NAME.familyName}`,
      phoneNumbers: [{ type: 'work', value: PHONE }],
      addresses: [{ type: 'work', streetAddress: STREET, formatted: STREET }],
    });
    const created = await scim('POST', '/Users', user);
    expect(created.status).toBe(201);
    userId = created.body.id;
    expect((await scim('GET', `/Users/${userId}`)).status).toBe(200);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${EMAIL}"`)}`)).body.totalResults).toBe(
      1,
    );
    expect(
      (
        await scim(
          'PATCH',
          `/Users/${userId}`,
          patchBody(
            { op: 'Replace', path: 'phoneNumbers[type eq "work"].value', value: `${PHONE}9` },
            { op: 'replace', path: 'name.familyName', value: `${NAME.familyName}x` },
          ),
        )
      ).status,
    ).toBeLessThan(300);
    expect((await scim('PUT', `/Users/${userId}`, { ...user, id: userId })).status).toBe(200);
    // Errors whose detail names the values: a duplicate, a bad PATCH, a bad filter, a wrong token.
    const duplicate = await scim('POST', '/Users', user);
    expect(duplicate.status).toBe(409);
    expect(
      (
        await scim(
          'PATCH',
          `/Users/${userId}`,
          patchBody({ op: 'Replace', path: 'emails[value eq "pii.canary.7f3a@contoso.com"].bogus', value: PHONE }),
        )
      ).status,
    ).toBe(400);
    expect((await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${EMAIL}" and (`)}`)).status).toBe(400);
    expect((await scim('GET', `/Users/${userId}`, undefined, { authorization: `Bearer ${API_KEY}` })).status).toBe(401);
    expect((await scim('DELETE', `/Users/${userId}`)).status).toBe(204);
    expect((await scim('DELETE', `/Users/${userId}`)).status).toBe(404);
  });

  it('logs no personal data and no secret through create, read, patch, replace, errors and delete', async () => {
    const everything = [...lines, readFileSync(join(dir, 'audit', 'audit.jsonl'), 'utf8')].join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const canary of CANARIES) expect(everything, canary).not.toContain(canary);
  });

  it('writes one audit event per provisioning operation, to the log and the file', async () => {
    const fromLog = parsed().filter((line) => line.audit === true);
    // The file is appended through a stream: its last lines may still be on their way.
    await expect.poll(() => auditFile().length).toBe(fromLog.length);
    const fromFile = auditFile();
    const ops = fromFile.map((event) => `${String(event.operation)} ${String(event.status)}`);
    expect(ops).toEqual([
      'create 201',
      'patch 204',
      'replace 200',
      'create 409',
      'patch 400',
      'delete 204',
      'delete 404',
    ]);
    const create = fromFile[0]!;
    expect(create).toMatchObject({
      app: 'demo',
      operation: 'create',
      resourceType: 'User',
      scimId: userId,
      outcome: 'success',
    });
    expect(create.appId).toMatch(/^\d+$/);
    expect(typeof create.requestId).toBe('string');
    expect(Date.parse(String(create.timestamp))).not.toBeNaN();
    expect(typeof create.durationMs).toBe('number');
    expect(fromFile[5]).toMatchObject({ operation: 'delete', scimId: userId, appId: create.appId, outcome: 'success' });
    expect(fromFile[3]).toMatchObject({ operation: 'create', outcome: 'error', errorCode: expect.any(String) });
    expect(fromFile[6]).toMatchObject({ operation: 'delete', outcome: 'error', appId: null });
    // The audit's request ids are the access log's.
    const requestIds = new Set(
      parsed()
        .filter((line) => line.msg === 'request')
        .map((line) => line.requestId),
    );
    for (const event of fromFile) expect(requestIds.has(event.requestId)).toBe(true);
  });

  it('echoes a sane X-Request-Id, replaces a bad one, and ends error details with it', async () => {
    const given = await scim('GET', '/Users/nope', undefined, { 'x-request-id': 'entra-req.42:abc' });
    expect(given.headers.get('x-request-id')).toBe('entra-req.42:abc');
    expect(given.body.detail).toContain('(request entra-req.42:abc)');
    const bad = await scim('GET', '/Users/nope', undefined, { 'x-request-id': 'has spaces and <script>' });
    const replaced = bad.headers.get('x-request-id')!;
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.body.detail).toContain(`(request ${replaced})`);
    expect(
      parsed().some((line) => line.msg === 'request' && line.requestId === 'entra-req.42:abc' && line.status === 404),
    ).toBe(true);
  });

  it('serves inbound, outbound and store series with the app label and no user id', async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(
      /scimgw_inbound_requests_total\{app="demo",resource="User",operation="create",status="201"\} 1/,
    );
    expect(text).toMatch(
      /scimgw_inbound_requests_total\{app="demo",resource="User",operation="patch",status="204"\} 1/,
    );
    expect(text).toMatch(
      /scimgw_inbound_request_duration_seconds_count\{app="demo",resource="User",operation="list"\} \d+/,
    );
    expect(text).toMatch(/scimgw_outbound_requests_total\{app="demo",[^}]*\} \d+/);
    expect(text).toMatch(/scimgw_store_duration_seconds_count\{operation="reserve"\} \d+/);
    expect(text).not.toContain(userId);
    for (const canary of CANARIES) expect(text).not.toContain(canary);
    await fetch(`${gateway.url}/apps/nosuch/scim/v2/Users`);
    expect(await (await fetch(`${gateway.url}/metrics`)).text()).toMatch(
      /scimgw_inbound_requests_total\{app="unknown",resource="User",operation="list",status="404"\} 1/,
    );
  });
});
