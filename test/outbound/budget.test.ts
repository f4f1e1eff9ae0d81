import { describe, expect, it } from 'vitest';
/**
 * The budget's pure parts and acquireAll's waiting. The algorithm of both budgets is held to one contract
 * (test/store/rate-budget-contract.ts).
 */
import { acquireAll, guardFor, pauseKey, spacingFor, type Limit, type RateBudget } from '../../src/outbound/budget.ts';
import { UnavailableError } from '../../src/errors.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

const limit: Limit = { requests: 3, perMs: 1000, smooth: false };

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

/** A budget that refuses with the given waits, then grants; records when it was asked. */
function scripted(waits: number[], clock: FakeClock): RateBudget & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    async take() {
      asked.push(clock.now());
      return waits.shift() ?? 0;
    },
    async takeAll() {
      asked.push(clock.now());
      return waits.shift() ?? 0;
    },
    async settle() {},
    async pause() {},
  };
}

describe('acquireAll', () => {
  const uses = [{ key: 'a:main', limit }];

  it('returns at once when granted', async () => {
    const clock = new FakeClock();
    const budget = scripted([], clock);
    expect(await acquireAll(budget, uses, clock.now() + 1000, { clock })).toBe(0);
    expect(budget.asked).toHaveLength(1);
  });

  it('waits the time the budget returns (plus under 5 ms of jitter), asks again and succeeds', async () => {
    const clock = new FakeClock();
    const budget = scripted([80, 40], clock);
    const started = clock.now();
    let waited: number | undefined;
    void acquireAll(budget, uses, clock.now() + 5000, { clock }).then((ms) => (waited = ms));
    await clock.until(() => waited !== undefined, 1000, 1);
    expect(budget.asked.map((at) => at - started)).toEqual([0, expect.any(Number), expect.any(Number)]);
    expect(budget.asked[1]! - budget.asked[0]!).toBeGreaterThanOrEqual(80);
    expect(budget.asked[1]! - budget.asked[0]!).toBeLessThan(85);
    expect(budget.asked[2]! - budget.asked[1]!).toBeGreaterThanOrEqual(40);
    expect(waited).toBe(budget.asked[2]! - started);
  });

  it('throws a 503 with Retry-After ≈ the wait when the wait would pass the deadline, without waiting', async () => {
    const clock = new FakeClock();
    const budget = scripted([4200], clock);
    await expect(acquireAll(budget, uses, clock.now() + 1000, { clock })).rejects.toMatchObject({
      status: 503,
      code: 'SCIMGW_UNAVAILABLE',
      retryAfter: 5,
    });
    expect(clock.pending).toBe(0);
    expect(budget.asked).toHaveLength(1);
  });

  it('refuses when now + wait reaches the deadline exactly, and waits when it ends before', async () => {
    const clock = new FakeClock();
    await expect(acquireAll(scripted([1000], clock), uses, clock.now() + 1000, { clock })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    let waited: number | undefined;
    void acquireAll(scripted([999], clock), uses, clock.now() + 1000, { clock }).then((ms) => (waited = ms));
    await clock.until(() => waited !== undefined, 2000, 1);
    expect(waited).toBeGreaterThanOrEqual(999);
  });

  it("rejects with the signal's reason when it fires during the wait, and at once when already aborted", async () => {
    const clock = new FakeClock();
    const controller = new AbortController();
    const reason = new Error('SCIM request gone');
    const waiting = acquireAll(scripted([10_000], clock), uses, Number.POSITIVE_INFINITY, {
      clock,
      signal: controller.signal,
    });
    await clock.advance(30);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(
      acquireAll(scripted([10_000], clock), uses, Number.POSITIVE_INFINITY, {
        clock,
        signal: AbortSignal.abort(new Error('gone')),
      }),
    ).rejects.toThrow('gone');
  });
});

describe('spacing', () => {
  it('is 90% of perMs/requests for a smooth budget (the default), none for one call per window or a flat limit', () => {
    expect(spacingFor({ requests: 10, perMs: 1000 })).toBe(90);
    expect(spacingFor({ requests: 1, perMs: 1000 })).toBe(0);
    expect(spacingFor({ requests: 10, perMs: 1000, smooth: false })).toBe(0);
  });
});
