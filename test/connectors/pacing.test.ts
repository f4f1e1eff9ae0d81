/**
 * A connector's rate limits as the runtime applies them: its budget against the real demo app (no 429 at
 * the app's own limit), its per-key buckets on a fake clock, and the bucket overrides of gateway.yaml.
 * The client's pacing, retries and breaker are tested on their own (test/outbound/app-client.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { ConnectorRuntime, type RuntimeOptions } from '../../src/connectors/runtime.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { UndiciTransport } from '../../src/outbound/transport.ts';
import type { ScimResource } from '../../src/scim/schema/types.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { ScriptedApp } from '../helpers/scripted-app.ts';
import { cleanupTemp, demoVariant, replaceOnce } from './helpers.ts';

const API_KEY = 'pacing-test-key';
const transport = new UndiciTransport();
const runtimes: ConnectorRuntime[] = [];
const demos: DemoApp[] = [];

afterAll(async () => {
  for (const runtime of runtimes) runtime.close();
  for (const demo of demos) await demo.close();
  await transport.close();
  cleanupTemp();
});

const DEMO_BUDGET = `rateLimit:
  requests: 20
  per: 1s
  concurrency: 8
`;

/** The demo connector with its rateLimit section replaced (empty: no budget at all). */
function demoConnector(rateLimit: string, extra = ''): CompiledConnector {
  return loadConnector(demoVariant((yaml) => replaceOnce(yaml, DEMO_BUDGET, `${rateLimit}${extra}`)).dir);
}

async function startDemo(rate = 0): Promise<{ demo: DemoApp; url: string }> {
  const demo = createDemoApp({ apiKey: API_KEY, ...(rate ? { rate } : {}) });
  demos.push(demo);
  const { url } = await demo.listen();
  return { demo, url };
}

async function runtimeFor(
  connector: CompiledConnector,
  url: string,
  options: Partial<RuntimeOptions> = {},
): Promise<ConnectorRuntime> {
  const runtime = await ConnectorRuntime.create(
    connector,
    { config: { baseUrl: url }, secrets: { apiKey: API_KEY } },
    { transport, ...options },
  );
  runtimes.push(runtime);
  return runtime;
}

describe('pacing against the demo app', () => {
  it("a connector budget equal to the app's limit sends 15 quick calls with no 429", async () => {
    const { demo, url } = await startDemo(5);
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const runtime = await runtimeFor(demoConnector('rateLimit: { requests: 5, per: 1s, concurrency: 8 }\n'), url);
    const read = await Promise.all(
      Array.from({ length: 15 }, () => runtime.get('User', String(ada.id), { deadline: Date.now() + 30_000 })),
    );
    expect(read.every((user) => user?.appId === String(ada.id))).toBe(true);
    expect(demo.stats()).toMatchObject({ requests: 15, rate_limited: 0 });
  });
});

describe('per-key buckets', () => {
  it("a per-user bucket limits PATCHes of one user and does not delay another user's, nor reads", async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, (request) => ({
      status: 200,
      body: { id: Number(/\/users\/(\d+)/.exec(request.url)?.[1]), user_name: 'x', status: 'active' },
    }));
    const connector = demoConnector(
      `rateLimit:
  requests: 20
  per: 1s
  concurrency: 8
  buckets:
    - name: user-updates
      match: { method: PATCH, path: "^/users/[0-9]+$" }
      requests: 2
      per: 1s
      key: "{{ $id }}"
`,
    );
    const runtime = await runtimeFor(connector, 'http://demo.test', { transport: app, clock });
    const user = (userName: string, displayName: string): ScimResource => ({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName,
      displayName,
    });
    const context = { deadline: clock.now() + 50_000 };
    const rename = (id: number, from: string, to: string) =>
      runtime.update(
        'User',
        String(id),
        { scim: user('u', to), old: user('u', from), changed: ['displayName'] },
        context,
      );
    let done = 0;
    for (const call of [
      rename(1, 'Ada', 'Ada 1'),
      rename(1, 'Ada 1', 'Ada 2'),
      rename(1, 'Ada 2', 'Ada 3'),
      rename(2, 'Bob', 'Bob 1'),
      runtime.get('User', '1', context),
      runtime.get('User', '1', context),
    ])
      void call.then(() => done++);
    await clock.until(() => done === 6);
    const begun = app.calls[0]!.at;
    const at = (method: string, id: string) =>
      app.calls
        .filter((call) => call.request.method === method && call.request.url.endsWith(`/users/${id}`))
        .map((call) => call.at - begun);
    // Two of Ada's updates go at once (spaced by the app budget only), the third waits for the bucket's window.
    const ada = at('PATCH', '1');
    expect(ada).toHaveLength(3);
    expect(ada[1]).toBeLessThan(500);
    expect(ada[2]).toBeGreaterThanOrEqual(1000);
    expect(at('PATCH', '2')[0]).toBeLessThan(500);
    expect(at('GET', '1').every((ms) => ms < 500)).toBe(true);
  });
});

describe('bucket overrides in gateway.yaml', () => {
  it("replaces a connector bucket's budget by name for one app, and refuses an unknown bucket name", async () => {
    const { createGateway } = await import('../../src/gateway.ts');
    const { silentLogger } = await import('../../src/observability/logger.ts');
    const { SqliteIdMap } = await import('../../src/store/embedded/sqlite-id-map.ts');
    const { ConfigError } = await import('../../src/errors.ts');
    const dir = demoConnector(
      `rateLimit:
  requests: 20
  per: 1s
  buckets:
    - { name: user-updates, match: { method: PATCH, path: "^/users/[0-9]+$" }, requests: 5, per: 1m, key: "{{ $id }}" }
`,
    ).dir;
    const parent = dir.slice(0, dir.lastIndexOf('/'));
    const name = dir.slice(dir.lastIndexOf('/') + 1);
    const config = (buckets: Record<string, { requests: number; per: string }>) => ({
      apiVersion: 'scimgw/v1' as const,
      kind: 'Gateway' as const,
      server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '10s', maxBodyBytes: 1_000_000 },
      store: { type: 'embedded' as const, dataDir: '.' },
      connectorDirs: [parent],
      apps: [
        {
          id: 'a',
          connector: name,
          tokens: ['env:T'],
          settings: { baseUrl: 'http://127.0.0.1:9' },
          secrets: { apiKey: 'env:K' },
          rateLimit: { requests: 20, per: '1s', buckets },
        },
      ],
    });
    const gateway = await createGateway({
      config: config({ 'user-updates': { requests: 50, per: '1m' } }),
      env: { T: 't', K: 'k' },
      idMap: new SqliteIdMap(':memory:'),
      logger: silentLogger(),
    });
    expect(gateway.apps.get('a')!.connector.rateLimit?.buckets[0]).toMatchObject({
      name: 'user-updates',
      requests: 50,
      perMs: 60_000,
    });
    await gateway.close();
    const error = await createGateway({
      config: config({ 'no-such-bucket': { requests: 1, per: '1s' } }),
      env: { T: 't', K: 'k' },
      idMap: new SqliteIdMap(':memory:'),
      logger: silentLogger(),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as InstanceType<typeof ConfigError>).message).toContain('has no rate-limit bucket "no-such-bucket"');
  });
});
