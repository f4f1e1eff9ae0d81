/**
 * Pacing end to end: a ConnectorRuntime (Caller + Pacer + CircuitBreaker) against the real demo app, or a
 * tiny HTTP server where the demo app cannot send the answer wanted.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { ConnectorRuntime } from '../../src/connectors/runtime.ts';
import type { CallObserver } from '../../src/connectors/caller.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { UnavailableError } from '../../src/errors.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { CircuitBreaker, type BreakerState } from '../../src/outbound/circuit-breaker.ts';
import { UndiciTransport } from '../../src/outbound/transport.ts';
import type { ScimResource } from '../../src/scim/schema/types.ts';
import { cleanupTemp, demoVariant, replaceOnce, writeConnector } from './helpers.ts';

const API_KEY = 'pacing-test-key';
const transport = new UndiciTransport();
const runtimes: ConnectorRuntime[] = [];
const demos: DemoApp[] = [];
const servers: Server[] = [];

afterAll(async () => {
  for (const runtime of runtimes) runtime.close();
  for (const demo of demos) await demo.close();
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
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

async function runtimeFor(connector: CompiledConnector, url: string, options: { metrics?: Metrics; breaker?: CircuitBreaker; observer?: CallObserver } = {}): Promise<ConnectorRuntime> {
  const runtime = await ConnectorRuntime.create(connector, { config: { baseUrl: url }, secrets: { apiKey: API_KEY } }, { transport, app: 'demo', ...options });
  runtimes.push(runtime);
  return runtime;
}

const context = (ms = 10_000) => ({ deadline: Date.now() + ms });

async function counter(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((sum, { value }) => sum + value, 0);
}

describe('pacing against the demo app', () => {
  it('a connector budget equal to the app\'s limit sends 15 quick calls with no 429', async () => {
    const { demo, url } = await startDemo(5);
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const runtime = await runtimeFor(demoConnector('rateLimit: { requests: 5, per: 1s, concurrency: 8 }\n'), url);
    const started = Date.now();
    const read = await Promise.all(Array.from({ length: 15 }, () => runtime.get('User', String(ada.id), context())));
    const elapsed = Date.now() - started;
    expect(read.every((user) => user?.appId === String(ada.id))).toBe(true);
    expect(demo.stats()).toMatchObject({ requests: 15, rate_limited: 0 });
    // Three windows of five: the third starts two windows (and two guards) after the first.
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(6000);
  });

  it('a 429 pauses the pacer: a later call waits for Retry-After; 429s and retries are counted', async () => {
    const { demo, url } = await startDemo(2);
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const metrics = createMetrics();
    let limitedAt = 0;
    let later: Promise<number> | undefined;
    const runtime = await runtimeFor(demoConnector(''), url, {
      metrics,
      observer: {
        onCall(event) {
          if (event.status !== 429 || later) return;
          limitedAt = Date.now();
          // A call that arrives while the pause runs.
          later = runtime.get('User', String(ada.id), context()).then(() => Date.now() - limitedAt);
        },
      },
    });
    // Use up the app's two calls a second from outside the gateway.
    for (let i = 0; i < 2; i++) expect((await fetch(`${url}/api/users/${ada.id}`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
    const started = Date.now();
    const user = await runtime.get('User', String(ada.id), context());
    expect(user?.appId).toBe(String(ada.id));
    // Retry-After: 1 (whole seconds): the retry went a second after the 429.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(later).toBeDefined();
    expect(await later!).toBeGreaterThanOrEqual(950);
    // The pause kept both calls from meeting another 429.
    expect(demo.stats()).toMatchObject({ requests: 5, rate_limited: 1 });
    expect(await counter(metrics.rateLimited)).toBe(1);
    expect(await counter(metrics.outboundRetries)).toBe(1);
  });

  it('a per-user bucket limits PATCHes of one user and does not delay another user', async () => {
    const { demo, url } = await startDemo();
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
    const runtime = await runtimeFor(connector, url);
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const bob = demo.store.createUser({ user_name: 'bob@example.com' });
    const user = (userName: string, displayName: string): ScimResource => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName, displayName });
    const started = Date.now();
    const rename = async (id: number, userName: string, from: string, to: string) => {
      await runtime.update('User', String(id), { scim: user(userName, to), old: user(userName, from), changed: ['displayName'] }, context());
      return Date.now() - started;
    };
    const [ada1, ada2, ada3, bob1] = await Promise.all([
      rename(ada.id, 'ada@example.com', 'Ada', 'Ada 1'),
      rename(ada.id, 'ada@example.com', 'Ada 1', 'Ada 2'),
      rename(ada.id, 'ada@example.com', 'Ada 2', 'Ada 3'),
      rename(bob.id, 'bob@example.com', 'Bob', 'Bob 1'),
    ]);
    // Which of Ada's three updates waits is up to the race; two go at once, one waits for the window.
    const [first, second, third] = [ada1, ada2, ada3].sort((a, b) => a - b);
    expect(first).toBeLessThan(500);
    expect(second).toBeLessThan(500);
    expect(third).toBeGreaterThanOrEqual(1000);
    expect(bob1).toBeLessThan(500);
    // GETs of the same user do not match the bucket.
    const readStart = Date.now();
    await Promise.all([runtime.get('User', String(ada.id), context()), runtime.get('User', String(ada.id), context())]);
    expect(Date.now() - readStart).toBeLessThan(500);
    expect(demo.log.filter((entry) => entry.method === 'PATCH')).toHaveLength(4);
  });

  it('the circuit breaker fails fast while the app fails, probes after openMs, and closes when it recovers', async () => {
    const { demo, url } = await startDemo();
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const changes: BreakerState[] = [];
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 200, maxOpenMs: 1000, onChange: (state) => changes.push(state) });
    const runtime = await runtimeFor(demoConnector(DEMO_BUDGET, 'retry: { maxAttempts: 4, initialDelay: 10ms, maxDelay: 20ms }\n'), url, { breaker });
    const get = () => runtime.get('User', String(ada.id), context(5000));
    demo.setFaults({ rate: 1, kinds: ['5xx'] });

    // Three attempts reach the app and fail; the fourth is refused by the open circuit.
    const first = get();
    await expect(first).rejects.toBeInstanceOf(UnavailableError);
    await expect(first).rejects.toThrow(/is failing/);
    expect(demo.stats().requests).toBe(3);
    expect(breaker.state).toBe('open');

    // While open: 503 at once, nothing reaches the app.
    const before = demo.stats().requests;
    const fastStart = Date.now();
    for (let i = 0; i < 5; i++) await expect(get()).rejects.toMatchObject({ status: 503, retryAfter: 1 });
    expect(Date.now() - fastStart).toBeLessThan(100);
    expect(demo.stats().requests).toBe(before);

    // After openMs one probe goes through; it fails, so the circuit opens again (for 400 ms).
    await new Promise((resolve) => setTimeout(resolve, 220));
    await expect(get()).rejects.toMatchObject({ status: 503 });
    expect(demo.stats().requests).toBe(before + 1);
    expect(breaker.state).toBe('open');

    // The app recovers; calls still fail fast until the longer open time has passed.
    demo.setFaults(undefined);
    await expect(get()).rejects.toThrow(/is failing/);
    expect(demo.stats().requests).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 420));
    expect((await get())?.appId).toBe(String(ada.id));
    expect(breaker.state).toBe('closed');
    const results = await Promise.all([get(), get(), get()]);
    expect(results.every((user) => user?.appId === String(ada.id))).toBe(true);
    expect(demo.stats().requests).toBe(before + 5);
    expect(changes).toEqual(['open', 'halfOpen', 'open', 'halfOpen', 'closed']);
  });

  it('calls already queued when the circuit opens do not reach the failing app', async () => {
    const { demo, url } = await startDemo();
    const ada = demo.store.createUser({ user_name: 'ada@example.com' });
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 5000 });
    const runtime = await runtimeFor(demoConnector('rateLimit: { requests: 100, per: 1s, concurrency: 1 }\n', 'retry: { maxAttempts: 1 }\n'), url, { breaker });
    demo.setFaults({ rate: 1, kinds: ['5xx'] });
    // Ten calls join the queue while the circuit is still closed; one slot sends them one by one.
    const calls = Array.from({ length: 10 }, () => runtime.get('User', String(ada.id), context(5000)));
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && (outcome.reason as UnavailableError).status === 503)).toBe(true);
    // The first three failures open it; the seven behind them are refused before they are sent.
    expect(demo.stats().requests).toBe(3);
  });
});

describe('rate-limit headers on a successful answer', () => {
  it('X-RateLimit-Remaining: 0 with X-RateLimit-Reset pauses later calls until the reset', async () => {
    const arrivals: number[] = [];
    const server = createServer((req, res) => {
      arrivals.push(Date.now());
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      // The first answer says the budget is used up for 400 ms; later ones say there is room.
      if (arrivals.length === 1) Object.assign(headers, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0.4' });
      else Object.assign(headers, { 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '1' });
      res.writeHead(200, headers).end(JSON.stringify({ id: 7, name: req.url }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const connector = loadConnector(
      writeConnector(
        'headers',
        `apiVersion: scimgw/v1
kind: Connector
metadata: { id: headers, name: Rate headers, version: 1.0.0 }
http:
  baseUrl: "{{ $config.baseUrl }}"
mappings:
  User:
    toApp: '{ "name": userName }'
    toScim: '{ "userName": name }'
resources:
  User:
    attributes: [userName]
    operations:
      get:
        request: { method: GET, url: "/users/{{ $id }}" }
      list:
        request: { method: GET, url: /users }
        items: users
`,
      ),
    );
    const runtime = await runtimeFor(connector, `http://127.0.0.1:${port}`);
    await runtime.get('User', '7', context());
    expect(runtime.pacer.pausedForMs).toBeGreaterThan(300);
    await runtime.get('User', '7', context());
    await runtime.get('User', '7', context());
    expect(arrivals).toHaveLength(3);
    // The second call waited for the reset; the third (after "remaining: 10") did not.
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(380);
    expect(arrivals[2]! - arrivals[1]!).toBeLessThan(100);
  });
});

describe('bucket overrides in gateway.yaml', () => {
  it('replaces a connector bucket\'s budget by name for one app, and refuses an unknown bucket name', async () => {
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
      apps: [{ id: 'a', connector: name, tokens: ['env:T'], settings: { baseUrl: 'http://127.0.0.1:9' }, secrets: { apiKey: 'env:K' }, rateLimit: { requests: 20, per: '1s', buckets } }],
    });
    const gateway = await createGateway({ config: config({ 'user-updates': { requests: 50, per: '1m' } }), env: { T: 't', K: 'k' }, idMap: new SqliteIdMap(':memory:'), logger: silentLogger() });
    expect(gateway.apps.get('a')!.connector.rateLimit?.buckets[0]).toMatchObject({ name: 'user-updates', requests: 50, perMs: 60_000 });
    await gateway.close();
    const error = await createGateway({ config: config({ 'no-such-bucket': { requests: 1, per: '1s' } }), env: { T: 't', K: 'k' }, idMap: new SqliteIdMap(':memory:'), logger: silentLogger() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as InstanceType<typeof ConfigError>).message).toContain('has no rate-limit bucket "no-such-bucket"');
  });
});
