/**
 * Hot reload of gateway.yaml, connector files and `file:` secrets: a valid change is applied without a
 * restart (token rotation included), an invalid one is refused with file:line:col in the log while the
 * old config keeps serving, a request in flight during the swap finishes on the config it started with,
 * and store settings wait for a restart.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/load.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { UndiciTransport, type OutboundRequest, type Transport } from '../../src/outbound/transport.ts';
import { entraUser, ROOT } from '../helpers/stack.ts';

const TOKEN_A = 'token-a-0123456789abcdef';
const TOKEN_B = 'token-b-0123456789abcdef';

let demo: DemoApp;
let demoUrl: string;
beforeAll(async () => {
  demo = createDemoApp({ apiKey: 'demo-key', rate: 0 });
  demoUrl = (await demo.listen()).url;
});
afterAll(async () => {
  await demo.close();
});

interface Setup {
  dir: string;
  gateway: RunningGateway;
  logs: Record<string, unknown>[];
  sent: OutboundRequest[];
  /** Rewrites gateway.yaml with these changes to the app entry or the top level. */
  writeConfig(changes?: { tokens?: string[]; store?: Record<string, unknown> }): void;
  /** Edits a file of the connector copy in place. */
  editConnector(file: string, edit: (text: string) => string): void;
  scim(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }>;
}

const setups: Setup[] = [];
afterEach(async () => {
  for (const setup of setups.splice(0)) {
    await setup.gateway.close();
    rmSync(setup.dir, { recursive: true, force: true });
  }
});

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-reload-'));
  cpSync(join(ROOT, 'connectors', 'demo'), join(dir, 'connectors', 'demo'), { recursive: true });
  writeFileSync(join(dir, 'token-a'), `${TOKEN_A}\n`);
  writeFileSync(join(dir, 'api-key'), 'demo-key\n');
  const file = join(dir, 'gateway.yaml');
  const writeConfig: Setup['writeConfig'] = (changes = {}) => {
    const config = {
      apiVersion: 'scimgw/v1',
      kind: 'Gateway',
      server: { host: '127.0.0.1', port: 0, requestTimeout: '10s' },
      store: changes.store ?? { type: 'embedded', dataDir: './data' },
      connectorDirs: ['./connectors'],
      apps: [
        {
          id: 'demo',
          connector: 'demo',
          tokens: changes.tokens ?? [`file:${join(dir, 'token-a')}`],
          settings: { baseUrl: demoUrl },
          secrets: { apiKey: `file:${join(dir, 'api-key')}` },
          rateLimit: { requests: 0, concurrency: 16 },
        },
      ],
    };
    writeFileSync(file, stringify(config));
  };
  writeConfig();
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  // Records what the gateway sends, to see a connector change take effect on the wire.
  const sent: OutboundRequest[] = [];
  const undici = new UndiciTransport();
  const transport: Transport = {
    send: (request, options) => {
      sent.push(request);
      return undici.send(request, options);
    },
    close: () => undici.close(),
  };
  const gateway = await startGateway({
    config: loadGatewayConfig(file),
    configFile: file,
    env: {},
    transport,
    logger: createLogger({ level: 'info', destination }),
  });
  const result: Setup = {
    dir,
    gateway,
    logs,
    sent,
    writeConfig,
    editConnector(name, edit) {
      const path = join(dir, 'connectors', 'demo', name);
      writeFileSync(path, edit(readFileSync(path, 'utf8')));
    },
    async scim(method, path, token = TOKEN_A, body) {
      const response = await fetch(`${gateway.url}/apps/demo/scim/v2${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/scim+json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
  };
  setups.push(result);
  return result;
}

const reloadsMetric = async (gateway: RunningGateway, result: string) => {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  return Number(new RegExp(`^scimgw_config_reloads_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
};

async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await check()) return true;
    await new Promise((settle) => setTimeout(settle, 50));
  }
  return false;
}

describe('hot reload', () => {
  it('rotates inbound tokens read from file: references', async () => {
    const s = await setup();
    expect((await s.scim('GET', '/Users', TOKEN_B)).status).toBe(401);
    writeFileSync(join(s.dir, 'token-b'), `${TOKEN_B}\n`);
    s.writeConfig({ tokens: [`file:${join(s.dir, 'token-a')}`, `file:${join(s.dir, 'token-b')}`] });
    expect(await s.gateway.reload()).toEqual({ applied: true, issues: [], restartRequired: [] });
    expect((await s.scim('GET', '/Users', TOKEN_A)).status).toBe(200);
    expect((await s.scim('GET', '/Users', TOKEN_B)).status).toBe(200);

    s.writeConfig({ tokens: [`file:${join(s.dir, 'token-b')}`] });
    expect((await s.gateway.reload()).applied).toBe(true);
    expect((await s.scim('GET', '/Users', TOKEN_A)).status).toBe(401);
    expect((await s.scim('GET', '/Users', TOKEN_B)).status).toBe(200);
    expect(await reloadsMetric(s.gateway, 'applied')).toBe(2);
  });

  it('refuses a broken connector with file:line in the log and keeps serving the old one', async () => {
    const s = await setup();
    const created = await s.scim('POST', '/Users', TOKEN_A, entraUser('broken-mapping@contoso.com'));
    expect(created.status).toBe(201);
    s.editConnector('mappings/user-to-scim.jsonata', (text) =>
      text.replace('"userName": user_name,', '"userName": user_name,,'),
    );

    const result = await s.gateway.reload();
    expect(result.applied).toBe(false);
    expect(result.issues[0]).toMatchObject({
      file: join(s.dir, 'connectors', 'demo', 'mappings', 'user-to-scim.jsonata'),
      line: expect.any(Number),
    });
    const refused = s.logs.find((line) => line.msg === 'config reload refused');
    expect(refused?.level).toBe(50); // pino's error
    expect(String((refused?.problems as string[])[0])).toMatch(/user-to-scim\.jsonata:\d+:\d+/);
    expect(await reloadsMetric(s.gateway, 'refused')).toBe(1);

    // The old mapping still serves reads and writes.
    const read = await s.scim('GET', `/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('broken-mapping@contoso.com');
    expect((await s.scim('POST', '/Users', TOKEN_A, entraUser('after-refusal@contoso.com'))).status).toBe(201);
  });

  it('applies a valid connector change: an extra header and a different page size', async () => {
    const s = await setup();
    s.editConnector('connector.yaml', (text) =>
      text
        .replace('  timeout: 20s\n', '  timeout: 20s\n  headers:\n    X-Reload-Check: second\n')
        .replace('pageSize: 100', 'pageSize: 7'),
    );
    expect((await s.gateway.reload()).applied).toBe(true);
    s.sent.length = 0;
    expect((await s.scim('GET', '/Users')).status).toBe(200);
    const list = s.sent.find((request) => request.url.includes('/users'));
    expect(list?.url).toMatch(/per_page=7/);
    expect(Object.entries(list?.headers ?? {}).find(([name]) => name.toLowerCase() === 'x-reload-check')?.[1]).toBe(
      'second',
    );
  });

  it('lets a request in flight during the swap finish on the config it started with', async () => {
    const s = await setup();
    const created = await s.scim('POST', '/Users', TOKEN_A, entraUser('in-flight@contoso.com'));
    // Every app call takes 600 ms; this PATCH updates the user, then deactivates it: the swap lands between.
    demo.setFaults({ rate: 1, kinds: ['slow'], slowMs: 600 });
    try {
      s.sent.length = 0;
      const pending = s.scim('PATCH', `/Users/${created.body.id}`, TOKEN_A, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [
          { op: 'Replace', path: 'title', value: 'Swapped' },
          { op: 'Replace', path: 'active', value: false },
        ],
      });
      await new Promise((settle) => setTimeout(settle, 250));
      s.editConnector('connector.yaml', (text) =>
        text.replace('  timeout: 20s\n', '  timeout: 20s\n  headers:\n    X-Reload-Check: during\n'),
      );
      expect((await s.gateway.reload()).applied).toBe(true);
      expect(s.sent).toHaveLength(1); // the swap happened while the first call was still running
      const reply = await pending;
      expect(reply.status, JSON.stringify(reply.body)).toBe(204);
      // Its later calls went through the generation it started on, not the new one.
      expect(s.sent.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual([
        expect.stringMatching(/^PATCH \/api\/users\/\d+$/),
        expect.stringMatching(/^POST \/api\/users\/\d+\/deactivate$/),
      ]);
      expect(
        s.sent.every(
          (request) => !Object.keys(request.headers).some((name) => name.toLowerCase() === 'x-reload-check'),
        ),
      ).toBe(true);
    } finally {
      demo.setFaults(undefined);
    }
    s.sent.length = 0;
    expect((await s.scim('GET', `/Users/${created.body.id}`)).body).toMatchObject({ title: 'Swapped', active: false });
    expect(
      s.sent.some((request) => Object.keys(request.headers).some((name) => name.toLowerCase() === 'x-reload-check')),
    ).toBe(true);
  });

  it('keeps the running store when store: changes, and says a restart is required', async () => {
    const s = await setup();
    const created = await s.scim('POST', '/Users', TOKEN_A, entraUser('store-kept@contoso.com'));
    writeFileSync(join(s.dir, 'token-b'), `${TOKEN_B}\n`);
    s.writeConfig({
      store: { type: 'embedded', dataDir: './data2' },
      tokens: [`file:${join(s.dir, 'token-a')}`, `file:${join(s.dir, 'token-b')}`],
    });
    const result = await s.gateway.reload();
    expect(result).toMatchObject({ applied: true, restartRequired: ['store'] });
    expect(s.logs.some((line) => line.msg === 'restart required for: store')).toBe(true);
    expect(existsSync(join(s.dir, 'data2'))).toBe(false);
    // The rest was applied (a second token), and the id map is the one the user was created in.
    expect((await s.scim('GET', `/Users/${created.body.id}`, TOKEN_B)).status).toBe(200);
  });

  it('reloads by itself when a watched secret file changes', async () => {
    const s = await setup();
    s.gateway.watch(100);
    writeFileSync(join(s.dir, 'token-a'), `${TOKEN_B}\n`);
    expect(await until(async () => (await s.scim('GET', '/Users', TOKEN_B)).status === 200)).toBe(true);
    expect((await s.scim('GET', '/Users', TOKEN_A)).status).toBe(401);
    expect(s.logs.some((line) => line.msg === 'config reloaded')).toBe(true);
  });

  it('reloads a gateway started with --config when its files change, and on SIGHUP', async () => {
    const s = await setup();
    await s.gateway.close();
    setups.splice(setups.indexOf(s), 1);
    const child = spawn(process.execPath, [join(ROOT, 'src', 'main.ts'), '--config', join(s.dir, 'gateway.yaml')], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      expect(await until(async () => /demo: (http:\S+)/.test(output), 10_000), output).toBe(true);
      const tenant = /demo: (http:\S+)/.exec(output)![1]!;
      const status = async (token: string) =>
        (await fetch(`${tenant}/Users`, { headers: { authorization: `Bearer ${token}` } })).status;
      expect(await status(TOKEN_A)).toBe(200);
      const reloads = () => output.split('\n').filter((line) => line.includes('"msg":"config reloaded"')).length;
      // The watcher picks up the new config and token file…
      writeFileSync(join(s.dir, 'token-b'), `${TOKEN_B}\n`);
      s.writeConfig({ tokens: [`file:${join(s.dir, 'token-b')}`] });
      expect(await until(async () => (await status(TOKEN_B)) === 200), output).toBe(true);
      expect(await status(TOKEN_A)).toBe(401);
      // …and SIGHUP reloads on demand.
      expect(await until(async () => reloads() >= 1)).toBe(true);
      const before = reloads();
      child.kill('SIGHUP');
      expect(await until(async () => reloads() > before), output).toBe(true);
      expect(await status(TOKEN_B)).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((settle) => child.once('exit', settle));
      rmSync(s.dir, { recursive: true, force: true });
    }
  });
});
