/**
 * The per-app client's pipeline on a fake clock against a scripted app: pacing at the budget, 429s and
 * Retry-After (capped by maxPause), rate-limit headers, the circuit breaker, refreshed credentials,
 * oversized answers, the deadline, and cancellation when Entra hangs up.
 */
import { describe, expect, it } from 'vitest';
import { RequestAbandonedError, UpstreamError } from '../../src/errors.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics.ts';
import { AppClient, type CallScope, type ClientRequest } from '../../src/outbound/app-client.ts';
import { AuthInjector, type ResolvedAuth } from '../../src/outbound/auth.ts';
import { defaultOutcome } from '../../src/outbound/outcome.ts';
import { DEFAULT_BREAKER, type OutboundPolicy } from '../../src/outbound/policy.ts';
import type { Transport } from '../../src/outbound/transport.ts';
import { FakeClock } from '../helpers/fake-clock.ts';
import { ScriptedApp, type Answer } from '../helpers/scripted-app.ts';

const policy = (overrides: Partial<OutboundPolicy> = {}): OutboundPolicy => ({
  app: 'crm',
  label: 'crm-connector',
  timeoutMs: 30_000,
  maxResponseBytes: 1_000_000,
  concurrency: 8,
  retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1000 },
  breaker: DEFAULT_BREAKER,
  maxPauseMs: 120_000,
  ...overrides,
});

function client(
  clock: FakeClock,
  app: Transport,
  options: { policy?: Partial<OutboundPolicy>; metrics?: Metrics; auth?: ResolvedAuth } = {},
) {
  const credentials = new AuthInjector(options.auth ?? { type: 'none' }, app, { timeoutMs: 5000, clock });
  return new AppClient(policy(options.policy), {
    transport: app,
    credentials,
    clock,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

const get = (path = '/users/1'): ClientRequest => ({ method: 'GET', url: `https://app.test${path}`, headers: {} });
const post = (path = '/users'): ClientRequest => ({
  method: 'POST',
  url: `https://app.test${path}`,
  headers: {},
  body: '{}',
});
const classify = async (response: { status: number }) => ({ result: defaultOutcome(response.status) });
const meta = { operation: 'User.get', conflictDetectable: false };
const scope = (clock: FakeClock, ms = 50_000, signal?: AbortSignal): CallScope => ({
  deadline: clock.now() + ms,
  ...(signal ? { signal } : {}),
});

async function counter(metric: { get(): Promise<{ values: { value: number }[] }> }): Promise<number> {
  return (await metric.get()).values.reduce((sum, { value }) => sum + value, 0);
}

/** Starts calls and tracks how each ended. */
function start<T>(promises: Promise<T>[]) {
  const settled: PromiseSettledResult<T>[] = [];
  for (const promise of promises)
    promise.then(
      (value) => settled.push({ status: 'fulfilled', value }),
      (reason: unknown) => settled.push({ status: 'rejected', reason }),
    );
  return settled;
}

describe('AppClient pacing', () => {
  it('sends at the budget: 15 calls at 5 a second go out in three windows, never more than 5 in one', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 200, body: { id: 1 } }]);
    const subject = client(clock, app, { policy: { budget: { requests: 5, perMs: 1000 } } });
    const settled = start(Array.from({ length: 15 }, () => subject.send(get(), classify, scope(clock), meta)));
    await clock.until(() => settled.length === 15);
    expect(settled.every((result) => result.status === 'fulfilled')).toBe(true);
    const times = app.calls.map((call) => call.at);
    for (const at of times)
      expect(times.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(5);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(2000);
  });
});

describe('AppClient rate limiting', () => {
  it('a 429 pauses the app for its Retry-After: the retry and a call arriving meanwhile both wait; both are counted', async () => {
    const clock = new FakeClock();
    const metrics = createMetrics();
    const app = new ScriptedApp(clock, (_request, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200, body: {} },
    );
    const subject = client(clock, app, { metrics });
    const first = start([subject.send(get(), classify, scope(clock), meta)]);
    await clock.advance(10);
    const meanwhile = start([subject.send(get('/users/2'), classify, scope(clock), meta)]);
    await clock.until(() => first.length === 1 && meanwhile.length === 1);
    expect(app.calls.map((call) => call.at - app.calls[0]!.at)).toEqual([0, 1000, 1000]);
    expect(await counter(metrics.rateLimited)).toBe(1);
    expect(await counter(metrics.outboundRetries)).toBe(1);
  });

  it('caps a Retry-After longer than maxPause, counts it, and tells Entra to come back after maxPause', async () => {
    const clock = new FakeClock();
    const metrics = createMetrics();
    const app = new ScriptedApp(clock, [{ status: 429, headers: { 'retry-after': '86400' } }]);
    const subject = client(clock, app, { metrics, policy: { maxPauseMs: 60_000 } });
    await expect(subject.send(get(), classify, scope(clock), meta)).rejects.toMatchObject({
      status: 503,
      retryAfter: 60,
    });
    expect(subject.pacer.pausedForMs).toBe(60_000);
    expect(await counter(metrics.pauseCapped)).toBeGreaterThanOrEqual(1);
    expect(app.calls).toHaveLength(1);
  });

  it('"remaining: 0" with a reset on a success pauses later calls until the reset', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, (_request, index): Answer => ({
      status: 200,
      body: {},
      headers:
        index === 0 ? { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '0.4' } : { 'x-ratelimit-remaining': '10' },
    }));
    const subject = client(clock, app);
    await subject.send(get(), classify, scope(clock), meta);
    const settled = start([subject.send(get(), classify, scope(clock), meta)]);
    await clock.until(() => settled.length === 1);
    expect(app.calls[1]!.at - app.calls[0]!.at).toBe(400);
  });
});

describe('AppClient retries', () => {
  it('retries a dropped GET with backoff and gives up after maxAttempts with a 503', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 0, drop: true }]);
    const subject = client(clock, app, {
      policy: { retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000 } },
    });
    const settled = start([subject.send(get(), classify, scope(clock), meta)]);
    await clock.until(() => settled.length === 1);
    expect(app.calls).toHaveLength(3);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 503,
      message: expect.stringContaining('could not be reached (crm-connector User.get)'),
    });
  });

  it('does not repeat a POST that may have reached the app, unless the operation can find a duplicate', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 0, drop: true }]);
    const subject = client(clock, app);
    await expect(
      subject.send(post(), classify, scope(clock), { operation: 'User.create', conflictDetectable: false }),
    ).rejects.toMatchObject({ status: 503 });
    expect(app.calls).toHaveLength(1);
    const settled = start([
      subject.send(post(), classify, scope(clock), { operation: 'User.create', conflictDetectable: true }),
    ]);
    await clock.until(() => settled.length === 1);
    expect(app.calls).toHaveLength(1 + 4);
  });

  it('renews refused OAuth credentials once, at once, without using up an attempt', async () => {
    const clock = new FakeClock();
    let tokens = 0;
    const app = new ScriptedApp(clock, (request) => {
      if (request.url.endsWith('/token'))
        return { status: 200, body: { access_token: `t${++tokens}`, expires_in: 3600 } };
      return { status: request.headers.authorization === 'Bearer t1' ? 401 : 200, body: {} };
    });
    const auth: ResolvedAuth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: 'https://app.test/token',
      clientId: 'id',
      clientSecret: 'secret',
      clientAuth: 'body',
      scopes: [],
      params: [],
    };
    const subject = client(clock, app, {
      auth,
      policy: { retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 1000 } },
    });
    const answer = await subject.send(get(), classify, scope(clock), meta);
    expect(answer.status).toBe(200);
    expect(
      app.calls.map((call) => `${call.request.url.replace('https://app.test', '')} ${call.at - app.calls[0]!.at}`),
    ).toEqual(['/token 0', '/users/1 0', '/token 0', '/users/1 0']);
  });

  it('returns a second refusal of renewed credentials as the final answer (the caller reports it as 502)', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, (request) =>
      request.url.endsWith('/token') ? { status: 200, body: { access_token: 'x', expires_in: 3600 } } : { status: 401 },
    );
    const auth: ResolvedAuth = {
      type: 'oauth2ClientCredentials',
      tokenUrl: 'https://app.test/token',
      clientId: 'id',
      clientSecret: 'secret',
      clientAuth: 'body',
      scopes: [],
      params: [],
    };
    const answer = await client(clock, app, { auth }).send(get(), classify, scope(clock), meta);
    expect(answer.outcome.result).toBe('authFailed');
    expect(app.calls.filter((call) => call.request.url.endsWith('/users/1'))).toHaveLength(2);
  });

  it('abandons an answer larger than maxResponseBytes with a 502, and does not ask again', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 200, body: { users: 'x'.repeat(5000) } }]);
    const error = await client(clock, app, { policy: { maxResponseBytes: 1024 } })
      .send(get(), classify, scope(clock), meta)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ status: 502, code: 'SCIMGW_UPSTREAM_TOO_LARGE' });
    expect(app.calls).toHaveLength(1);
  });
});

describe('AppClient circuit breaker', () => {
  const breaker = { failureThreshold: 3, windowMs: 30_000, openMs: 200, maxOpenMs: 1000 };

  it('fails fast while the app fails, probes after openMs, and closes when it recovers', async () => {
    const clock = new FakeClock();
    let failing = true;
    const app = new ScriptedApp(clock, () => (failing ? { status: 503 } : { status: 200, body: {} }));
    const subject = client(clock, app, {
      policy: { breaker, retry: { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 20 } },
    });
    const first = start([subject.send(get(), classify, scope(clock, 5000), meta)]);
    await clock.until(() => first.length === 1);
    // Three attempts reach the app and fail; the fourth is refused by the open circuit.
    expect(app.calls).toHaveLength(3);
    expect((first[0] as PromiseRejectedResult).reason).toMatchObject({
      status: 503,
      message: expect.stringMatching(/is failing/),
    });
    expect(subject.breaker.state).toBe('open');
    for (let index = 0; index < 5; index++)
      await expect(subject.send(get(), classify, scope(clock, 5000), meta)).rejects.toMatchObject({ status: 503 });
    expect(app.calls).toHaveLength(3);
    // After openMs one probe goes through; it fails, so the circuit opens again, for twice as long.
    await clock.advance(200);
    const probe = start([subject.send(get(), classify, scope(clock, 5000), { ...meta, operation: 'probe' })]);
    await clock.until(() => probe.length === 1);
    expect(app.calls).toHaveLength(4);
    expect(subject.breaker.state).toBe('open');
    failing = false;
    await clock.advance(400);
    expect((await subject.send(get(), classify, scope(clock, 5000), meta)).status).toBe(200);
    expect(subject.breaker.state).toBe('closed');
  });

  it('calls already queued when the circuit opens never reach the failing app', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 500, latencyMs: 5 }]);
    const subject = client(clock, app, {
      policy: {
        breaker: { ...breaker, openMs: 5000 },
        concurrency: 1,
        retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10 },
      },
    });
    const settled = start(Array.from({ length: 10 }, () => subject.send(get(), classify, scope(clock, 5000), meta)));
    await clock.until(() => settled.length === 10);
    expect(
      settled.every((result) => result.status === 'rejected' && (result.reason as { status: number }).status === 503),
    ).toBe(true);
    expect(app.calls).toHaveLength(3);
  });
});

describe('AppClient deadline and cancellation', () => {
  it('refuses at once when the SCIM request has no time left', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 200 }]);
    await expect(client(clock, app).send(get(), classify, scope(clock, 0), meta)).rejects.toMatchObject({
      status: 503,
      message: expect.stringContaining('did not answer in time'),
    });
    expect(app.calls).toHaveLength(0);
  });

  it('when Entra hangs up, calls waiting for the budget and a backoff in progress stop, and none is sent', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, (request) =>
      request.url.endsWith('/flaky') ? { status: 503 } : { status: 200, body: {} },
    );
    const subject = client(clock, app, {
      policy: {
        budget: { requests: 1, perMs: 1000 },
        retry: { maxAttempts: 4, initialDelayMs: 500, maxDelayMs: 1000 },
      },
    });
    const gone = new AbortController();
    const settled = start([
      subject.send(get('/flaky'), classify, scope(clock, 50_000, gone.signal), meta),
      ...Array.from({ length: 20 }, () => subject.send(get(), classify, scope(clock, 50_000, gone.signal), meta)),
    ]);
    await clock.advance(50);
    expect(app.calls).toHaveLength(1);
    gone.abort(new RequestAbandonedError());
    await clock.until(() => settled.length === 21);
    await clock.advance(30_000);
    expect(app.calls).toHaveLength(1);
    expect(
      settled.every((result) => result.status === 'rejected' && result.reason instanceof RequestAbandonedError),
    ).toBe(true);
  });

  it('aborts a read in flight, but lets a write already sent run to its answer', async () => {
    const clock = new FakeClock();
    const app = new ScriptedApp(clock, [{ status: 201, body: { id: 7 }, latencyMs: 300 }]);
    const subject = client(clock, app);
    const gone = new AbortController();
    const read = start([subject.send(get(), classify, scope(clock, 50_000, gone.signal), meta)]);
    const write = start([
      subject.send(post(), classify, scope(clock, 50_000, gone.signal), {
        operation: 'User.create',
        conflictDetectable: false,
      }),
    ]);
    await clock.advance(100);
    gone.abort(new RequestAbandonedError());
    await clock.until(() => read.length === 1 && write.length === 1);
    expect((read[0] as PromiseRejectedResult).reason).toBeInstanceOf(RequestAbandonedError);
    expect(write[0]).toMatchObject({ status: 'fulfilled', value: { status: 201, body: { id: 7 } } });
  });
});
