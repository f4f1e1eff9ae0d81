import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { Pacer, type PacerOptions } from '../../src/outbound/pacer.ts';

const pacers: Pacer[] = [];
function pacer(options: PacerOptions = {}): Pacer {
  const created = new Pacer(options);
  pacers.push(created);
  return created;
}
afterEach(() => {
  for (const created of pacers.splice(0)) created.close();
});

describe('Pacer options', () => {
  it.each([
    [{ concurrency: 0 }, /Expected `concurrency` to be an integer >= 1, got `0`/],
    [{ concurrency: 1.5 }, /Expected `concurrency` to be an integer >= 1, got `1.5`/],
    [{ concurrency: -2 }, /`concurrency`/],
    [{ requests: 0 }, /Expected `requests` to be > 0, got `0`/],
    [{ requests: -1 }, /Expected `requests` to be > 0, got `-1`/],
    [{ requests: Number.NaN }, /Expected `requests` to be > 0/],
    [{ requests: 5, perMs: 0 }, /Expected `perMs` to be a finite number > 0, got `0`/],
    [{ requests: 5, perMs: -10 }, /Expected `perMs` to be a finite number > 0, got `-10`/],
    [{ requests: 5, perMs: Number.POSITIVE_INFINITY }, /`perMs`/],
  ] as [PacerOptions, RegExp][])('%o is refused', (options, message) => {
    expect(() => new Pacer(options)).toThrow(message);
  });

  it('accepts sensible options and defaults', () => {
    expect(() => pacer()).not.toThrow();
    expect(() => pacer({ requests: 10, perMs: 1000, concurrency: 2 })).not.toThrow();
    expect(() => pacer({ requests: 2.5 })).not.toThrow();
  });
});

/** Runs `count` tasks of `ms` each and records start times and the highest number in flight. */
async function runTasks(subject: Pacer, count: number, ms: number) {
  const starts: number[] = [];
  let running = 0;
  let peak = 0;
  const tasks = Array.from({ length: count }, (_, index) =>
    subject.run(async () => {
      starts.push(Date.now());
      running++;
      peak = Math.max(peak, running);
      await sleep(ms);
      running--;
      return index;
    }),
  );
  const results = await Promise.all(tasks);
  return { starts, peak, results };
}

describe('Pacer concurrency', () => {
  it('never has more than `concurrency` calls in flight', async () => {
    const subject = pacer({ concurrency: 3 });
    const { peak, results } = await runTasks(subject, 10, 15);
    expect(peak).toBe(3);
    expect(results).toEqual([...Array(10).keys()]);
  });

  it('reports waiting and in-flight counts', async () => {
    const subject = pacer({ concurrency: 1 });
    const first = subject.run(() => sleep(30));
    const second = subject.run(() => sleep(1));
    await sleep(5);
    expect(subject.inFlight).toBe(1);
    expect(subject.waiting).toBe(1);
    await Promise.all([first, second]);
    expect(subject.inFlight).toBe(0);
    expect(subject.waiting).toBe(0);
  });
});

describe('Pacer pause', () => {
  it('holds queued work until the pause has passed', async () => {
    const subject = pacer();
    const paused = Date.now();
    subject.pause(150);
    expect(subject.pausedForMs).toBeGreaterThan(100);
    const started = await subject.run(async () => Date.now());
    expect(started - paused).toBeGreaterThanOrEqual(140);
    expect(subject.pausedForMs).toBe(0);
  });

  it('extends a running pause but never shortens it', async () => {
    const subject = pacer();
    const paused = Date.now();
    subject.pause(150);
    subject.pause(20);
    expect(subject.pausedForMs).toBeGreaterThan(100);
    const started = await subject.run(async () => Date.now());
    expect(started - paused).toBeGreaterThanOrEqual(140);
  });

  it('does not hold work that was already running', async () => {
    const subject = pacer();
    const running = subject.run(async () => {
      await sleep(20);
      return Date.now();
    });
    await sleep(1);
    const paused = Date.now();
    subject.pause(150);
    expect((await running) - paused).toBeLessThan(100);
  });
});

/** The most starts inside any window of `ms` (sliding, as the app counts). */
function busiestWindow(starts: number[], ms: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[last]! - sorted[first]! >= ms) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe('Pacer budget', () => {
  it('never starts more than `requests` calls in any window of `perMs`', async () => {
    const subject = pacer({ requests: 5, perMs: 200, concurrency: 10 });
    const begun = Date.now();
    const { starts } = await runTasks(subject, 17, 5);
    // Allow a millisecond of timer slack on the window edge.
    expect(busiestWindow(starts, 199)).toBeLessThanOrEqual(5);
    // 17 calls at 5 per 200 ms need three full windows of waiting.
    expect(Date.now() - begun).toBeGreaterThanOrEqual(590);
    expect(Date.now() - begun).toBeLessThan(1500);
  });

  it('5 per 200 ms: no 200 ms window ever sees more than 5 starts over ~1 s, and every window is used', async () => {
    const subject = pacer({ requests: 5, perMs: 200, concurrency: 8 });
    const begun = Date.now();
    const { starts } = await runTasks(subject, 26, 3);
    expect(busiestWindow(starts, 199)).toBeLessThanOrEqual(5);
    // 26 calls: five full windows of waiting (210 ms each with the guard), then the last one.
    const elapsed = Date.now() - begun;
    expect(elapsed).toBeGreaterThanOrEqual(5 * 200);
    expect(elapsed).toBeLessThan(1600);
  });

  it('keeps a budget below one call per period: 0.5 per 100 ms is one call per 200 ms', async () => {
    const subject = pacer({ requests: 0.5, perMs: 100 });
    const { starts } = await runTasks(subject, 3, 1);
    expect(busiestWindow(starts, 195)).toBe(1);
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(390);
  });

  it('rounds a fractional budget above 1 down: 2.5 per 100 ms never starts 3 in a window', async () => {
    const subject = pacer({ requests: 2.5, perMs: 100 });
    const { starts } = await runTasks(subject, 5, 1);
    expect(busiestWindow(starts, 99)).toBe(2);
  });
});

describe('Pacer cancellation', () => {
  it('rejects a waiting call when its AbortSignal fires, and runs nothing for it', async () => {
    const subject = pacer({ concurrency: 1 });
    const blocker = subject.run(() => sleep(80));
    const controller = new AbortController();
    let ran = false;
    const waiting = subject.run(async () => {
      ran = true;
    }, controller.signal);
    const reason = new Error('SCIM request ended');
    setTimeout(() => controller.abort(reason), 10);
    await expect(waiting).rejects.toBe(reason);
    expect(subject.waiting).toBe(0);
    await blocker;
    await sleep(5);
    expect(ran).toBe(false);
  });

  it('rejects at once with an already aborted signal', async () => {
    const subject = pacer();
    await expect(subject.run(async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('rejects waiting calls on close instead of leaving them pending forever', async () => {
    const subject = pacer({ concurrency: 1 });
    const blocker = subject.run(() => sleep(30));
    const waiting = subject.run(async () => 'ran');
    subject.close();
    await expect(waiting).rejects.toMatchObject({ code: 'SCIMGW_UNAVAILABLE', status: 503 });
    await expect(subject.run(async () => 'late')).rejects.toMatchObject({ code: 'SCIMGW_UNAVAILABLE' });
    await blocker.catch(() => undefined);
  });
});

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<{ status: number; code: string; retryAfter: number }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code: string; retryAfter: number };
  }
  throw new Error('expected a rejection');
}

describe('Pacer counts a call from its answer', () => {
  it('a call that took long (a new connection, say) keeps its slot until a window after it ended', async () => {
    const subject = pacer({ requests: 2, perMs: 100 });
    const begun = Date.now();
    const starts: number[] = [];
    const call = (ms: number) =>
      subject.run(async () => {
        starts.push(Date.now() - begun);
        await sleep(ms);
      });
    await Promise.all([call(60), call(1), call(1), call(1)]);
    // The third goes when the quick one leaves (~110 ms); the fourth only ~110 ms after the slow one ended.
    expect(starts[2]).toBeGreaterThanOrEqual(105);
    expect(starts[3]).toBeGreaterThanOrEqual(165);
  });
});

describe('Pacer deadline', () => {
  it('refuses at once with a 503 when the queue cannot drain before the deadline, and never runs the work', async () => {
    // One call per 100 ms, one slot: 8 queued calls need ~800 ms.
    const subject = pacer({ requests: 1, perMs: 100, concurrency: 1 });
    const queued = Array.from({ length: 8 }, () => subject.run(async () => undefined));
    for (const call of queued) call.catch(() => undefined);
    await sleep(5);
    expect(subject.drainEstimateMs).toBeGreaterThanOrEqual(600);
    let ran = false;
    const started = Date.now();
    const refused = subject.run(async () => (ran = true), { deadline: Date.now() + 300 });
    const error = await rejection(refused);
    expect(error).toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE' });
    // Retry-After ≈ queued calls × interval (~0.7–0.8 s, in whole seconds).
    expect(error.retryAfter).toBe(1);
    expect(Date.now() - started).toBeLessThan(50);
    expect(subject.waiting).toBeLessThanOrEqual(7);
    await Promise.all(queued);
    expect(ran).toBe(false);
  });

  it('Retry-After grows with the queue: 20 calls still waiting at 10 per second is ~2 s', async () => {
    const subject = pacer({ requests: 10, perMs: 1000, concurrency: 2 });
    const queued = Array.from({ length: 30 }, () => subject.run(async () => undefined));
    for (const call of queued) call.catch(() => undefined);
    await sleep(5);
    const refused = subject.run(async () => undefined, { deadline: Date.now() + 1000 });
    const error = await rejection(refused);
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBeGreaterThanOrEqual(2);
    expect(error.retryAfter).toBeLessThanOrEqual(3);
    subject.close();
  });

  it('accepts a call its deadline allows, refuses one whose budget wait would pass it (Retry-After = the wait)', async () => {
    const subject = pacer({ requests: 1, perMs: 2000 });
    await expect(subject.run(async () => 'done', { deadline: Date.now() + 300 })).resolves.toBe('done');
    let ran = false;
    const refused = subject.run(async () => (ran = true), { deadline: Date.now() + 500 });
    await expect(refused).rejects.toMatchObject({ status: 503, retryAfter: 3 });
    expect(ran).toBe(false);
  });
});

describe('Pacer buckets', () => {
  // As the caller builds them: a count per window, not smoothed.
  const bucket = (key: string) => ({ name: 'updates', key, limit: { requests: 2, perMs: 200, smooth: false } });

  it('counts each key of a bucket separately: one key is limited, another is not delayed', async () => {
    const subject = pacer();
    const begun = Date.now();
    const at = (key: string) => subject.run(async () => Date.now() - begun, { buckets: [bucket(key)] });
    const [a1, a2, a3, b1, b2] = await Promise.all([at('u1'), at('u1'), at('u1'), at('u2'), at('u2')]);
    expect(a1).toBeLessThan(50);
    expect(a2).toBeLessThan(50);
    expect(a3).toBeGreaterThanOrEqual(200);
    expect(b1).toBeLessThan(50);
    expect(b2).toBeLessThan(50);
  });

  it('the main budget holds even while calls wait for their bucket', async () => {
    // 3 per 200 ms for the app; one key limited to 1 per 200 ms. Calls of that key that wait for their
    // bucket must not start later on a main-budget grant counted earlier.
    const subject = pacer({ requests: 3, perMs: 200 });
    const starts: number[] = [];
    const work = async () => {
      starts.push(Date.now());
    };
    const limited = { name: 'updates', key: 'u1', limit: { requests: 1, perMs: 200, smooth: false } };
    const calls = [subject.run(work, { buckets: [limited] }), subject.run(work, { buckets: [limited] })];
    for (let i = 0; i < 7; i++) calls.push(subject.run(work));
    await Promise.all(calls);
    expect(starts).toHaveLength(9);
    expect(busiestWindow(starts, 199)).toBeLessThanOrEqual(3);
  });
});

describe('Pacer metrics', () => {
  it('observes the queue wait and counts budget grants per app', async () => {
    const metrics = createMetrics();
    const subject = pacer({ app: 'crm', requests: 2, perMs: 100, metrics });
    await Promise.all([subject.run(async () => 1), subject.run(async () => 2), subject.run(async () => 3)]);
    const granted = await metrics.budgetGranted.get();
    expect(granted.values).toEqual([{ labels: { app: 'crm' }, value: 3 }]);
    const text = await metrics.registry.getSingleMetricAsString('scimgw_rate_limit_wait_seconds');
    expect(text).toMatch(/scimgw_rate_limit_wait_seconds_count\{app="crm"\} 3/);
    const sum = Number(/scimgw_rate_limit_wait_seconds_sum\{app="crm"\} ([0-9.e-]+)/.exec(text)?.[1]);
    // The third call waited for the window (100 ms + 10 ms guard).
    expect(sum).toBeGreaterThanOrEqual(0.1);
    expect(sum).toBeLessThan(0.5);
    // Nothing waiting any more.
    expect(await metrics.registry.getSingleMetricAsString('scimgw_queue_depth')).toMatch(/scimgw_queue_depth\{app="crm"\} 0/);
  });

  it('counts no grant for a pacer without a budget', async () => {
    const metrics = createMetrics();
    const subject = pacer({ app: 'crm', metrics });
    await subject.run(async () => 1);
    expect((await metrics.budgetGranted.get()).values).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('scimgw_rate_limit_wait_seconds')).toMatch(/_count\{app="crm"\} 1/);
  });
});
