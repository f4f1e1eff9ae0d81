import { describe, expect, it } from 'vitest';
import { acquire, guardFor, LocalBudget, pauseKey, spacingFor, type Limit, type RateBudget } from '../../src/outbound/budget.ts';
import { UnavailableError } from '../../src/errors.ts';

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

const limit: Limit = { requests: 3, perMs: 1000, smooth: false };
// 1000 ms window plus its guard (20 ms).
const WINDOW = 1000 + guardFor(1000);

describe('guardFor', () => {
  it('is 2 % of the window, at least 10 ms and at most 250 ms', () => {
    expect(guardFor(1)).toBe(10);
    expect(guardFor(100)).toBe(10);
    expect(guardFor(500)).toBe(10);
    expect(guardFor(1000)).toBe(20);
    expect(guardFor(5000)).toBe(100);
    expect(guardFor(12_500)).toBe(250);
    expect(guardFor(60_000)).toBe(250);
    expect(guardFor(3_600_000)).toBe(250);
  });
});

describe('pauseKey', () => {
  it('is the app part of a budget key', () => {
    expect(pauseKey('crm:main')).toBe('crm');
    expect(pauseKey('crm:b:updates:42')).toBe('crm');
    expect(pauseKey('crm')).toBe('crm');
  });
});

describe('LocalBudget with a fake clock', () => {
  it('grants exactly `requests` in a window, then the wait until the oldest leaves it', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    expect(await budget.take('a:main', limit)).toBe(0);
    clock.advance(100);
    expect(await budget.take('a:main', limit)).toBe(0);
    clock.advance(100);
    expect(await budget.take('a:main', limit)).toBe(0);
    // The first grant was 200 ms ago: it leaves the window (perMs + guard) after WINDOW - 200.
    expect(await budget.take('a:main', limit)).toBe(WINDOW - 200);
    clock.advance(300);
    expect(await budget.take('a:main', limit)).toBe(WINDOW - 500);
    // A refused take is not counted: the wait does not grow.
    expect(await budget.take('a:main', limit)).toBe(WINDOW - 500);
    // One millisecond early is still refused; on time it is granted.
    clock.advance(WINDOW - 500 - 1);
    expect(await budget.take('a:main', limit)).toBe(1);
    clock.advance(1);
    expect(await budget.take('a:main', limit)).toBe(0);
  });

  it('slides: each grant frees its slot exactly one window later, not at a fixed boundary', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    const grants: number[] = [];
    // Ask every 10 ms for 5 s and record when the budget said yes.
    for (let step = 0; step < 500; step++) {
      if ((await budget.take('a:main', limit)) === 0) grants.push(clock.now());
      clock.advance(10);
    }
    for (const [index, at] of grants.entries()) {
      const inWindow = grants.filter((other) => other >= at && other < at + WINDOW);
      expect(inWindow.length, `window starting at grant ${index}`).toBeLessThanOrEqual(3);
    }
    // Every window is used fully: 3 per WINDOW over 5 s (rounded to the 10 ms ask interval).
    expect(grants.length).toBeGreaterThanOrEqual(Math.floor((5000 / (WINDOW + 10)) * 3));
    // The n-th grant and the (n+3)-th are one window apart (within the 10 ms ask interval).
    for (let n = 0; n + 3 < grants.length; n++) {
      const gap = grants[n + 3]! - grants[n]!;
      expect(gap).toBeGreaterThanOrEqual(WINDOW);
      expect(gap).toBeLessThan(WINDOW + 10);
    }
  });

  it('counts keys independently', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    for (let i = 0; i < 3; i++) expect(await budget.take('a:main', limit)).toBe(0);
    expect(await budget.take('a:main', limit)).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(await budget.take('b:main', limit)).toBe(0);
    for (let i = 0; i < 3; i++) expect(await budget.take('a:b:updates:1', limit)).toBe(0);
    expect(await budget.take('a:b:updates:2', limit)).toBe(0);
  });

  it('treats a fractional or sub-one limit as at least one call', async () => {
    const budget = new LocalBudget(fakeClock().now);
    expect(await budget.take('a:main', { requests: 0.5, perMs: 1000, smooth: false })).toBe(0);
    expect(await budget.take('a:main', { requests: 0.5, perMs: 1000, smooth: false })).toBeGreaterThan(0);
    expect(await budget.take('b:main', { requests: 2.9, perMs: 1000, smooth: false })).toBe(0);
    expect(await budget.take('b:main', { requests: 2.9, perMs: 1000, smooth: false })).toBe(0);
    expect(await budget.take('b:main', { requests: 2.9, perMs: 1000, smooth: false })).toBeGreaterThan(0);
  });

  it('pause holds every key of the same app, and only that app', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    await budget.pause('a', 500);
    expect(await budget.take('a:main', limit)).toBe(500);
    expect(await budget.take('a:b:updates:7', limit)).toBe(500);
    expect(await budget.take('b:main', limit)).toBe(0);
    clock.advance(200);
    expect(await budget.take('a:main', limit)).toBe(300);
    clock.advance(300);
    expect(await budget.take('a:main', limit)).toBe(0);
    // Paused takes were not counted: the whole budget is still there.
    expect(await budget.take('a:main', limit)).toBe(0);
    expect(await budget.take('a:main', limit)).toBe(0);
    expect(await budget.take('a:main', limit)).toBeGreaterThan(0);
  });

  it('a pause through any key of the app holds the whole app', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    await budget.pause('a:main', 400);
    expect(await budget.take('a:b:x:1', limit)).toBe(400);
  });

  it('takeAll counts a call in every budget or in none', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    const main = { key: 'a:main', limit: { requests: 3, perMs: 1000, smooth: false } };
    const user = { key: 'a:b:updates:1', limit: { requests: 1, perMs: 500, smooth: false } };
    expect(await budget.takeAll([main, user])).toBe(0);
    // The bucket is full: nothing is counted, and the wait is the bucket's.
    clock.advance(100);
    expect(await budget.takeAll([main, user])).toBe(500 + guardFor(500) - 100);
    expect(await budget.takeAll([main, user])).toBe(500 + guardFor(500) - 100);
    // So the app's budget still has two calls left.
    expect(await budget.take('a:main', limit)).toBe(0);
    expect(await budget.take('a:main', limit)).toBe(0);
    // Now the app's budget is full too: the wait is the longer of the two.
    expect(await budget.takeAll([main, user])).toBe(WINDOW - 100);
    clock.advance(WINDOW - 100);
    expect(await budget.takeAll([main, user])).toBe(0);
    expect(await budget.takeAll([])).toBe(0);
  });

  it('when the limit is below the count, waits until enough have left, not just the oldest', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    for (let i = 0; i < 3; i++) {
      expect(await budget.take('a:main', limit)).toBe(0);
      clock.advance(100);
    }
    // The limit was lowered to 2 (a reload): two of the three must leave, the second at 100 + WINDOW.
    expect(await budget.take('a:main', { requests: 2, perMs: 1000, smooth: false })).toBe(100 + WINDOW - 300);
  });

  it('settle counts a granted call from its answer: a call slow to arrive keeps its slot longer', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    const main = { key: 'a:main', limit: { requests: 2, perMs: 1000, smooth: false } };
    expect(await budget.takeAll([main], 'slow')).toBe(0);
    expect(await budget.takeAll([main], 'fast')).toBe(0);
    clock.advance(300);
    // The slow call's answer came 300 ms after its grant: the app may have counted it that late.
    await budget.settle([main], 'slow');
    expect(await budget.takeAll([main])).toBe(WINDOW - 300);
    clock.advance(WINDOW - 300);
    // The fast call has left the window; the slow one still counts until 300 + WINDOW.
    expect(await budget.takeAll([main])).toBe(0);
    expect(await budget.takeAll([main])).toBe(300);
    clock.advance(300);
    expect(await budget.takeAll([main])).toBe(0);
  });

  it('settle of a call whose grant already left the window counts it again from now', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    const one = { key: 'a:main', limit: { requests: 1, perMs: 1000, smooth: false } };
    expect(await budget.takeAll([one], 'long')).toBe(0);
    clock.advance(5000);
    await budget.settle([one], 'long');
    expect(await budget.takeAll([one])).toBe(WINDOW);
  });

  it('pause is extended by a longer one but never shortened', async () => {
    const clock = fakeClock();
    const budget = new LocalBudget(clock.now);
    await budget.pause('a', 500);
    await budget.pause('a', 100);
    expect(await budget.take('a:main', limit)).toBe(500);
    clock.advance(100);
    await budget.pause('a', 800);
    expect(await budget.take('a:main', limit)).toBe(800);
    await budget.pause('a', 799);
    expect(await budget.take('a:main', limit)).toBe(800);
  });
});

/** A budget that refuses with the given waits, then grants; records when it was asked. */
function scripted(waits: number[]): RateBudget & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    async take() {
      asked.push(Date.now());
      return waits.shift() ?? 0;
    },
    async takeAll() {
      asked.push(Date.now());
      return waits.shift() ?? 0;
    },
    async settle() {},
    async pause() {},
  };
}

describe('acquire', () => {
  it('returns at once when granted', async () => {
    const budget = scripted([]);
    expect(await acquire(budget, 'a:main', limit, Date.now() + 1000)).toBe(0);
    expect(budget.asked).toHaveLength(1);
  });

  it('waits the time the budget returns, asks again and succeeds', async () => {
    const budget = scripted([80, 40]);
    const started = Date.now();
    const waited = await acquire(budget, 'a:main', limit, Date.now() + 5000);
    const elapsed = Date.now() - started;
    expect(budget.asked).toHaveLength(3);
    expect(budget.asked[1]! - budget.asked[0]!).toBeGreaterThanOrEqual(79);
    expect(budget.asked[2]! - budget.asked[1]!).toBeGreaterThanOrEqual(39);
    // The waits plus a jitter below 5 ms each.
    expect(waited).toBeGreaterThanOrEqual(120);
    expect(waited).toBeLessThan(130);
    expect(elapsed).toBeGreaterThanOrEqual(119);
    expect(elapsed).toBeLessThan(400);
  });

  it('works with a real LocalBudget: the (n+1)-th call waits for the window', async () => {
    const budget = new LocalBudget();
    const small: Limit = { requests: 2, perMs: 100, smooth: false };
    const started = Date.now();
    for (let i = 0; i < 3; i++) await acquire(budget, 'a:main', small, Date.now() + 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100 + guardFor(100) - 1);
  });

  it('throws a 503 with Retry-After ≈ the wait when the wait would pass the deadline, without waiting', async () => {
    const budget = scripted([4200]);
    const started = Date.now();
    const failure = acquire(budget, 'a:main', limit, Date.now() + 1000);
    await expect(failure).rejects.toBeInstanceOf(UnavailableError);
    await expect(failure).rejects.toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE', retryAfter: 5 });
    expect(Date.now() - started).toBeLessThan(50);
    expect(budget.asked).toHaveLength(1);
  });

  it('refuses when now + wait reaches the deadline exactly', async () => {
    const budget = scripted([1000]);
    // Date.now() may tick between here and the check, which only makes the refusal more certain.
    await expect(acquire(budget, 'a:main', limit, Date.now() + 1000)).rejects.toMatchObject({ status: 503, retryAfter: 1 });
  });

  it('waits when the wait ends before the deadline', async () => {
    const budget = scripted([50]);
    await expect(acquire(budget, 'a:main', limit, Date.now() + 500)).resolves.toBeGreaterThanOrEqual(50);
  });

  it('rejects with the signal\'s reason when it fires during the wait', async () => {
    const budget = scripted([10_000]);
    const controller = new AbortController();
    const reason = new Error('SCIM request gone');
    setTimeout(() => controller.abort(reason), 30);
    const started = Date.now();
    await expect(acquire(budget, 'a:main', limit, Number.POSITIVE_INFINITY, controller.signal)).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('rejects at once with an already aborted signal', async () => {
    const budget = scripted([10_000]);
    await expect(acquire(budget, 'a:main', limit, Number.POSITIVE_INFINITY, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
  });
});

describe('smooth spacing', () => {
  it('spaces grants of a smooth budget at 90% of perMs/requests, from grant to grant', async () => {
    let now = 10_000;
    const budget = new LocalBudget(() => now);
    const smooth: Limit = { requests: 10, perMs: 1000 };
    expect(spacingFor(smooth)).toBe(90);
    expect(await budget.take('s:main', smooth)).toBe(0);
    expect(await budget.take('s:main', smooth)).toBe(90);
    now += 60;
    expect(await budget.take('s:main', smooth)).toBe(30);
    now += 30;
    expect(await budget.take('s:main', smooth)).toBe(0);
    // An answer (settle) does not move the spacing: only grants do.
    await budget.settle([{ key: 's:main', limit: smooth }], 'g');
    now += 90;
    expect(await budget.take('s:main', smooth)).toBe(0);
  });

  it('does not space a single call per window, nor a limit marked not smooth', () => {
    expect(spacingFor({ requests: 1, perMs: 1000 })).toBe(0);
    expect(spacingFor({ requests: 10, perMs: 1000, smooth: false })).toBe(0);
  });

  it('still caps each window: spacing alone would allow 11 per window here', async () => {
    let now = 0;
    const budget = new LocalBudget(() => now);
    const limit: Limit = { requests: 10, perMs: 1000 };
    const grants: number[] = [];
    for (let step = 0; step < 3000; step += 5) {
      now = step;
      if ((await budget.take('c:main', limit)) === 0) grants.push(now);
    }
    for (const at of grants) expect(grants.filter((g) => g >= at && g < at + 1000).length).toBeLessThanOrEqual(10);
    expect(grants.length).toBeGreaterThanOrEqual(28);
  });
});
