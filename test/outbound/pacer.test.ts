import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('Pacer budget', () => {
  /** The most starts inside any window of `perMs` (a sliding window, as the app counts). */
  function busiestWindow(starts: number[], perMs: number): number {
    const sorted = [...starts].sort((a, b) => a - b);
    let most = 0;
    for (const [index, start] of sorted.entries()) {
      most = Math.max(most, sorted.filter((other, j) => j >= index && other < start + perMs).length);
    }
    return most;
  }

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
