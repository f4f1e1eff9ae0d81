/**
 * The pacer on a fake clock: concurrency, pauses, the budget's windows, cancellation, deadlines, buckets
 * and metrics. Work "takes time" by sleeping on the same clock, so every expectation is about fake
 * milliseconds and none depends on how busy the machine is.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.ts';
import { Pacer, type PacerOptions } from '../../src/outbound/pacer.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const pacers: Pacer[] = [];
function pacer(clock: FakeClock, options: PacerOptions = {}): Pacer {
  const created = new Pacer({ ...options, clock });
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
    const clock = new FakeClock();
    expect(() => pacer(clock)).not.toThrow();
    expect(() => pacer(clock, { requests: 10, perMs: 1000, concurrency: 2 })).not.toThrow();
    expect(() => pacer(clock, { requests: 2.5 })).not.toThrow();
  });
});

/** Starts `count` tasks of `ms` fake time each; records start times and the most in flight at once. */
function startTasks(clock: FakeClock, subject: Pacer, count: number, ms: number) {
  const state = { starts: [] as number[], running: 0, peak: 0, done: 0 };
  const all = Promise.all(
    Array.from({ length: count }, (_, index) =>
      subject.run(async () => {
        state.starts.push(clock.now());
        state.peak = Math.max(state.peak, ++state.running);
        await clock.sleep(ms);
        state.running--;
        state.done++;
        return index;
      }),
    ),
  );
  return { state, all };
}

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

describe('Pacer concurrency', () => {
  it('never has more than `concurrency` calls in flight, and reports waiting and in-flight counts', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { concurrency: 3 });
    const { state, all } = startTasks(clock, subject, 10, 15);
    await clock.advance(1);
    expect([subject.inFlight, subject.waiting]).toEqual([3, 7]);
    await clock.until(() => state.done === 10);
    expect(state.peak).toBe(3);
    expect(await all).toEqual([...Array(10).keys()]);
    expect([subject.inFlight, subject.waiting]).toEqual([0, 0]);
  });
});

describe('Pacer pause', () => {
  it('holds queued work until the pause has passed, extended but never shortened', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock);
    const paused = clock.now();
    subject.pause(150);
    subject.pause(20);
    expect(subject.pausedForMs).toBe(150);
    let started: number | undefined;
    void subject.run(async () => (started = clock.now()));
    await clock.advance(149);
    expect(started).toBeUndefined();
    await clock.advance(1);
    expect(started! - paused).toBe(150);
    expect(subject.pausedForMs).toBe(0);
  });

  it('does not hold work that was already running', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock);
    let ended: number | undefined;
    void subject.run(async () => {
      await clock.sleep(20);
      ended = clock.now();
    });
    await clock.advance(1);
    const paused = clock.now();
    subject.pause(150);
    await clock.advance(30);
    expect(ended! - paused).toBe(19);
  });
});

describe('Pacer budget', () => {
  it('never starts more than `requests` calls in any window of `perMs`, and uses every window', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 5, perMs: 200, concurrency: 10 });
    const begun = clock.now();
    const { state } = startTasks(clock, subject, 17, 5);
    await clock.until(() => state.done === 17);
    expect(busiestWindow(state.starts, 200)).toBeLessThanOrEqual(5);
    // 17 calls at 5 per window (200 ms + its 10 ms guard) need three full windows of waiting.
    expect(clock.now() - begun).toBeGreaterThanOrEqual(3 * 210);
    expect(Math.max(...state.starts) - begun).toBeLessThan(4 * 210);
  });

  it('keeps a budget below one call per period: 0.5 per 100 ms is one call per 200 ms', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 0.5, perMs: 100 });
    const { state } = startTasks(clock, subject, 3, 1);
    await clock.until(() => state.done === 3);
    expect(busiestWindow(state.starts, 200)).toBe(1);
    expect(state.starts[2]! - state.starts[0]!).toBeGreaterThanOrEqual(400);
  });

  it('rounds a fractional budget above 1 down: 2.5 per 100 ms never starts 3 in a window', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 2.5, perMs: 100 });
    const { state } = startTasks(clock, subject, 5, 1);
    await clock.until(() => state.done === 5);
    expect(busiestWindow(state.starts, 100)).toBe(2);
  });

  it('counts a call from its answer: a slow call keeps its slot until a window after it ended', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 2, perMs: 100 });
    const begun = clock.now();
    const starts: number[] = [];
    let done = 0;
    const call = (ms: number) =>
      subject.run(async () => {
        starts.push(clock.now() - begun);
        await clock.sleep(ms);
        done++;
      });
    void Promise.all([call(60), call(1), call(1), call(1)]);
    await clock.until(() => done === 4);
    // The third goes when the quick one leaves (~110 ms); the fourth only ~110 ms after the slow one ended.
    expect(starts[2]).toBeGreaterThanOrEqual(110);
    expect(starts[3]).toBeGreaterThanOrEqual(170);
  });
});

describe('Pacer cancellation', () => {
  it('rejects a waiting call when its AbortSignal fires, and runs nothing for it', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { concurrency: 1 });
    void subject.run(() => clock.sleep(80));
    const controller = new AbortController();
    let ran = false;
    const waiting = subject.run(async () => {
      ran = true;
    }, controller.signal);
    await clock.advance(10);
    const reason = new Error('SCIM request ended');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(subject.waiting).toBe(0);
    await clock.advance(100);
    expect(ran).toBe(false);
  });

  it('rejects at once with an already aborted signal', async () => {
    const subject = pacer(new FakeClock());
    await expect(subject.run(async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });

  it('a call waiting for the budget is dropped when its signal fires, and never runs', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 1, perMs: 1000 });
    await subject.run(async () => undefined);
    const controller = new AbortController();
    let ran = false;
    const waiting = subject.run(async () => (ran = true), controller.signal);
    await clock.advance(100);
    controller.abort(new Error('client gone'));
    await expect(waiting).rejects.toThrow('client gone');
    await clock.advance(2000);
    expect(ran).toBe(false);
  });

  it('rejects waiting calls on close instead of leaving them pending forever', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { concurrency: 1 });
    const blocker = subject.run(() => clock.sleep(30)).catch(() => undefined);
    const waiting = subject.run(async () => 'ran');
    subject.close();
    await expect(waiting).rejects.toMatchObject({ code: 'SCIMGW_UNAVAILABLE', status: 503 });
    await expect(subject.run(async () => 'late')).rejects.toMatchObject({ code: 'SCIMGW_UNAVAILABLE' });
    await clock.advance(30);
    await blocker;
  });
});

describe('Pacer deadline', () => {
  it('refuses at once with a 503 when the queue cannot drain before the deadline, and never runs the work', async () => {
    const clock = new FakeClock();
    // One call per 100 ms, one slot: 8 queued calls need ~800 ms.
    const subject = pacer(clock, { requests: 1, perMs: 100, concurrency: 1 });
    const queued = Array.from({ length: 8 }, () => subject.run(async () => undefined));
    for (const call of queued) call.catch(() => undefined);
    await clock.advance(1);
    expect(subject.drainEstimateMs).toBeGreaterThanOrEqual(600);
    let ran = false;
    const refused = subject.run(async () => (ran = true), { deadline: clock.now() + 300 });
    // Retry-After ≈ queued calls × interval (~0.7–0.8 s, in whole seconds).
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE', retryAfter: 1 });
    await clock.until(() => subject.waiting === 0 && subject.inFlight === 0);
    expect(ran).toBe(false);
  });

  it('Retry-After grows with the queue: 30 calls at 10 per second is 2–3 s', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 10, perMs: 1000, concurrency: 2 });
    for (const call of Array.from({ length: 30 }, () => subject.run(async () => undefined)))
      call.catch(() => undefined);
    await clock.advance(1);
    const refused = await subject
      .run(async () => undefined, { deadline: clock.now() + 1000 })
      .catch((error: unknown) => error as { status: number; retryAfter: number });
    expect(refused).toMatchObject({ status: 503 });
    expect((refused as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(2);
    expect((refused as { retryAfter: number }).retryAfter).toBeLessThanOrEqual(3);
  });

  it('accepts a call its deadline allows, refuses one whose budget wait would pass it (Retry-After = the wait)', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock, { requests: 1, perMs: 2000 });
    await expect(subject.run(async () => 'done', { deadline: clock.now() + 300 })).resolves.toBe('done');
    let ran = false;
    const refused = subject.run(async () => (ran = true), { deadline: clock.now() + 500 });
    await expect(refused).rejects.toMatchObject({ status: 503, retryAfter: 3 });
    expect(ran).toBe(false);
  });
});

describe('Pacer buckets', () => {
  // As the caller builds them: a count per window, not smoothed.
  const bucket = (key: string) => ({ name: 'updates', key, limit: { requests: 2, perMs: 200, smooth: false } });

  it('counts each key of a bucket separately: one key is limited, another is not delayed', async () => {
    const clock = new FakeClock();
    const subject = pacer(clock);
    const begun = clock.now();
    const at: Record<string, number[]> = { u1: [], u2: [] };
    const call = (key: string) =>
      subject.run(async () => void at[key]!.push(clock.now() - begun), { buckets: [bucket(key)] });
    void Promise.all([call('u1'), call('u1'), call('u1'), call('u2'), call('u2')]);
    await clock.until(() => at.u1!.length === 3);
    expect(at.u1!.slice(0, 2)).toEqual([0, 0]);
    expect(at.u1![2]).toBeGreaterThanOrEqual(200);
    expect(at.u2).toEqual([0, 0]);
  });

  it('the main budget holds even while calls wait for their bucket', async () => {
    const clock = new FakeClock();
    // 3 per 200 ms for the app; one key limited to 1 per 200 ms.
    const subject = pacer(clock, { requests: 3, perMs: 200 });
    const starts: number[] = [];
    const work = async () => void starts.push(clock.now());
    const limited = { name: 'updates', key: 'u1', limit: { requests: 1, perMs: 200, smooth: false } };
    const calls = [subject.run(work, { buckets: [limited] }), subject.run(work, { buckets: [limited] })];
    for (let index = 0; index < 7; index++) calls.push(subject.run(work));
    void Promise.all(calls);
    await clock.until(() => starts.length === 9);
    expect(busiestWindow(starts, 200)).toBeLessThanOrEqual(3);
  });
});

describe('Pacer metrics', () => {
  it('observes the queue wait and counts budget grants per app', async () => {
    const clock = new FakeClock();
    const metrics = createMetrics();
    const subject = pacer(clock, { app: 'crm', requests: 2, perMs: 100, metrics });
    let done = 0;
    void Promise.all([1, 2, 3].map(() => subject.run(async () => void done++)));
    await clock.until(() => done === 3);
    expect((await metrics.budgetGranted.get()).values).toEqual([{ labels: { app: 'crm' }, value: 3 }]);
    const text = await metrics.registry.getSingleMetricAsString('scimgw_rate_limit_wait_seconds');
    expect(text).toMatch(/scimgw_rate_limit_wait_seconds_count\{app="crm"\} 3/);
    // The second call waited for the spacing (45 ms), the third for the window (100 ms + 10 ms guard).
    const sum = Number(/scimgw_rate_limit_wait_seconds_sum\{app="crm"\} ([0-9.e-]+)/.exec(text)?.[1]);
    expect(sum).toBeGreaterThanOrEqual(0.11);
    expect(sum).toBeLessThan(0.2);
    expect(await metrics.registry.getSingleMetricAsString('scimgw_queue_depth')).toMatch(
      /scimgw_queue_depth\{app="crm"\} 0/,
    );
  });

  it('counts no grant for a pacer without a budget', async () => {
    const metrics = createMetrics();
    const subject = pacer(new FakeClock(), { app: 'crm', metrics });
    await subject.run(async () => 1);
    expect((await metrics.budgetGranted.get()).values).toEqual([]);
    expect(await metrics.registry.getSingleMetricAsString('scimgw_rate_limit_wait_seconds')).toMatch(
      /_count\{app="crm"\} 1/,
    );
  });
});
