/**
 * What every RateBudget must do, run against the in-process budget and the Redis one (whose Lua scripts
 * are a second implementation of the same algorithm): sliding windows, smooth spacing (the default),
 * all-or-nothing takes over an app's budget and its buckets, settling a call from its answer, and pauses.
 * Time is a hand-moved clock; Redis reads it from the script arguments.
 */
import { describe, expect, it } from 'vitest';
import { acquireAll, guardFor, spacingFor, type Limit, type RateBudget } from '../../src/outbound/budget.ts';
import { FakeClock } from '../helpers/fake-clock.ts';

/** A budget on `clock`; every call of `open` within one test shares one store (replicas share Redis). */
export type OpenBudget = (clock: FakeClock) => Promise<RateBudget>;

const flat: Limit = { requests: 3, perMs: 1000, smooth: false };
const WINDOW = 1000 + guardFor(1000);

let apps = 0;
/** A fresh app name per test, so tests sharing one store never see each other's keys. */
const app = () => `app${++apps}`;

export function rateBudgetContract(name: string, open: OpenBudget, options: { shared: boolean }): void {
  describe(`RateBudget contract: ${name}`, () => {
    it('grants exactly `requests` in a window, then the wait until the oldest leaves it; refusals are not counted', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const key = `${app()}:main`;
      for (let index = 0; index < 3; index++) {
        expect(await budget.take(key, flat)).toBe(0);
        await clock.advance(100);
      }
      expect(await budget.take(key, flat)).toBe(WINDOW - 300);
      expect(await budget.take(key, flat)).toBe(WINDOW - 300);
      await clock.advance(WINDOW - 300 - 1);
      expect(await budget.take(key, flat)).toBe(1);
      await clock.advance(1);
      expect(await budget.take(key, flat)).toBe(0);
    });

    it('slides: no window ever holds more than `requests` grants, and every window is used', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const key = `${app()}:main`;
      const grants: number[] = [];
      for (let step = 0; step < 300; step++) {
        if ((await budget.take(key, flat)) === 0) grants.push(clock.now());
        await clock.advance(10);
      }
      for (const at of grants)
        expect(grants.filter((other) => other >= at && other < at + WINDOW).length).toBeLessThanOrEqual(3);
      for (let n = 0; n + 3 < grants.length; n++) expect(grants[n + 3]! - grants[n]!).toBeLessThan(WINDOW + 10);
      expect(grants.length).toBeGreaterThanOrEqual(6);
    });

    it('spaces grants of a smooth budget (the default) at 90% of perMs/requests, and still caps each window', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const key = `${app()}:main`;
      const smooth: Limit = { requests: 10, perMs: 1000 };
      expect(spacingFor(smooth)).toBe(90);
      expect(await budget.take(key, smooth)).toBe(0);
      expect(await budget.take(key, smooth)).toBe(90);
      await clock.advance(60);
      expect(await budget.take(key, smooth)).toBe(30);
      await clock.advance(30);
      expect(await budget.take(key, smooth)).toBe(0);
      // An answer (settle) does not move the spacing: only grants do.
      await budget.settle([{ key, limit: smooth }], 'g');
      await clock.advance(90);
      expect(await budget.take(key, smooth)).toBe(0);
      const grants: number[] = [];
      for (let step = 0; step < 600; step++) {
        if ((await budget.take(key, smooth)) === 0) grants.push(clock.now());
        await clock.advance(5);
      }
      for (const at of grants)
        expect(grants.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(10);
      expect(grants.length).toBeGreaterThanOrEqual(28);
    });

    it('counts apps and keys independently, and a sub-one or fractional limit as at least one call', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const [a, b] = [app(), app()];
      for (let index = 0; index < 3; index++) expect(await budget.take(`${a}:main`, flat)).toBe(0);
      expect(await budget.take(`${a}:main`, flat)).toBeGreaterThan(0);
      for (let index = 0; index < 3; index++) expect(await budget.take(`${b}:main`, flat)).toBe(0);
      for (let index = 0; index < 3; index++) expect(await budget.take(`${a}:b:updates:1`, flat)).toBe(0);
      expect(await budget.take(`${a}:b:updates:2`, flat)).toBe(0);
      const half = { requests: 0.5, perMs: 1000, smooth: false };
      expect(await budget.take(`${b}:b:half:1`, half)).toBe(0);
      expect(await budget.take(`${b}:b:half:1`, half)).toBeGreaterThan(0);
    });

    it('takeAll counts a call in the app budget and its bucket together, or in neither', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const name = app();
      const main = { key: `${name}:main`, limit: flat };
      const user = { key: `${name}:b:updates:1`, limit: { requests: 1, perMs: 500, smooth: false } };
      expect(await budget.takeAll([main, user], 'g1')).toBe(0);
      await clock.advance(100);
      expect(await budget.takeAll([main, user], 'g2')).toBe(500 + guardFor(500) - 100);
      // Nothing was counted for the refused call: the app budget still has two.
      expect(await budget.take(main.key, flat)).toBe(0);
      expect(await budget.take(main.key, flat)).toBe(0);
      expect(await budget.takeAll([main, user], 'g3')).toBe(WINDOW - 100);
      await clock.advance(WINDOW - 100);
      expect(await budget.takeAll([main, user], 'g4')).toBe(0);
    });

    it('waits until enough have left when the limit is lowered below the count', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const key = `${app()}:main`;
      for (let index = 0; index < 3; index++) {
        expect(await budget.take(key, flat)).toBe(0);
        await clock.advance(100);
      }
      expect(await budget.take(key, { requests: 2, perMs: 1000, smooth: false })).toBe(100 + WINDOW - 300);
    });

    it('settle counts a granted call from its answer: a call slow to arrive keeps its slot longer', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const main = { key: `${app()}:main`, limit: { requests: 2, perMs: 1000, smooth: false } };
      expect(await budget.takeAll([main], 'slow')).toBe(0);
      expect(await budget.takeAll([main], 'fast')).toBe(0);
      await clock.advance(300);
      await budget.settle([main], 'slow');
      expect(await budget.takeAll([main], 'x')).toBe(WINDOW - 300);
      await clock.advance(WINDOW - 300);
      expect(await budget.takeAll([main], 'y')).toBe(0);
      expect(await budget.takeAll([main], 'z')).toBe(300);
    });

    it('pause holds every key of the app (set through any of them) and only that app; extended, never shortened', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const [a, b] = [app(), app()];
      await budget.pause(`${a}:main`, 500);
      await budget.pause(a, 100);
      expect(await budget.take(`${a}:main`, flat)).toBe(500);
      expect(await budget.take(`${a}:b:updates:7`, flat)).toBe(500);
      expect(await budget.take(`${b}:main`, flat)).toBe(0);
      await clock.advance(200);
      await budget.pause(a, 800);
      expect(await budget.take(`${a}:main`, flat)).toBe(800);
      await clock.advance(800);
      // Paused takes were not counted: the whole budget is there.
      for (let index = 0; index < 3; index++) expect(await budget.take(`${a}:main`, flat)).toBe(0);
    });

    it('acquireAll waits on the clock for room, and refuses with a 503 when the wait passes the deadline', async () => {
      const clock = new FakeClock();
      const budget = await open(clock);
      const uses = [{ key: `${app()}:main`, limit: { requests: 1, perMs: 1000, smooth: false } }];
      expect(await acquireAll(budget, uses, clock.now() + 5000, { clock })).toBe(0);
      let waited: number | undefined;
      void acquireAll(budget, uses, clock.now() + 5000, { clock }).then((ms) => (waited = ms));
      await clock.advance(500);
      expect(waited).toBeUndefined();
      await clock.until(() => waited !== undefined, 10_000, 10);
      expect(waited).toBeGreaterThanOrEqual(WINDOW - 500);
      await expect(acquireAll(budget, uses, clock.now() + 100, { clock })).rejects.toMatchObject({
        status: 503,
        code: 'SCIMGW_UNAVAILABLE',
      });
    });

    if (options.shared) {
      it('is shared: replicas racing for one budget never exceed it in any window', async () => {
        const clock = new FakeClock();
        const replicas = await Promise.all([open(clock), open(clock), open(clock)]);
        const key = `${app()}:main`;
        const grants: number[] = [];
        for (let step = 0; step < 200; step++) {
          const answers = await Promise.all(
            replicas.flatMap((budget) => [budget.take(key, flat), budget.take(key, flat)]),
          );
          for (const wait of answers) if (wait === 0) grants.push(clock.now());
          await clock.advance(10);
        }
        for (const at of grants)
          expect(grants.filter((other) => other >= at && other < at + WINDOW).length).toBeLessThanOrEqual(3);
        expect(grants.length).toBeGreaterThanOrEqual(3);
        // A pause set through one replica holds the others.
        await replicas[0].pause(key, 300);
        expect(await replicas[2].take(key, flat)).toBe(300);
      });
    }
  });
}
