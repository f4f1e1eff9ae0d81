import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/demo-app/faults.ts';
import { startApp, type Running } from './helpers.ts';

describe('FaultInjector', () => {
  it('is deterministic for a seed and honours the rate', () => {
    const sequence = (seed: number) => {
      const injector = new FaultInjector({ rate: 0.5, kinds: ['5xx', 'reset', 'slow'], seed });
      return Array.from({ length: 200 }, () => injector.pick() ?? 'ok');
    };
    const a = sequence(42);
    expect(sequence(42)).toEqual(a);
    expect(sequence(43)).not.toEqual(a);
    const faulty = a.filter((k) => k !== 'ok').length;
    expect(faulty).toBeGreaterThan(60);
    expect(faulty).toBeLessThan(140);
    expect(new Set(a)).toEqual(new Set(['ok', '5xx', 'reset', 'slow']));
  });

  it('never fires at rate 0 or when unset, always at rate 1', () => {
    const off = new FaultInjector({ rate: 0, kinds: ['5xx'] });
    const unset = new FaultInjector();
    const on = new FaultInjector({ rate: 1, kinds: ['slow'] });
    for (let i = 0; i < 50; i++) {
      expect(off.pick()).toBeUndefined();
      expect(unset.pick()).toBeUndefined();
      expect(on.pick()).toBe('slow');
    }
  });
});

describe('faults over HTTP', () => {
  let t: Running;
  beforeAll(async () => {
    t = await startApp({ faults: { rate: 1, kinds: ['5xx'], seed: 7 } });
  });
  afterAll(() => t.app.close());
  beforeEach(() => {
    t.app.reset();
    t.app.setFaults({ rate: 1, kinds: ['5xx'], seed: 7 });
  });

  it('5xx answers 503 unavailable without performing the operation', async () => {
    const res = await t.call('POST', '/api/users', { body: { user_name: 'ghost' } });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(t.app.store.userCount).toBe(0);
    expect(t.app.log).toEqual([]);
    expect(t.app.stats()).toMatchObject({ requests: 1, faults: 1 });
  });

  it('reset drops the connection without answering or performing a write', async () => {
    t.app.setFaults({ rate: 1, kinds: ['reset'], seed: 1 });
    await expect(t.call('POST', '/api/users', { body: { user_name: 'ghost' } })).rejects.toThrow();
    await expect(t.call('GET', '/api/users')).rejects.toThrow();
    expect(t.app.store.userCount).toBe(0);
    expect(t.app.stats().faults).toBe(2);
  });

  it('slow waits slowMs and then performs the request', async () => {
    t.app.setFaults({ rate: 1, kinds: ['slow'], slowMs: 150 });
    const started = performance.now();
    const res = await t.call('POST', '/api/users', { body: { user_name: 'late' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(201);
    expect(t.app.store.userCount).toBe(1);
    expect(t.app.stats().faults).toBe(1);
  });

  it('setFaults(undefined) turns faults off', async () => {
    t.app.setFaults(undefined);
    expect((await t.call('POST', '/api/users', { body: { user_name: 'real' } })).status).toBe(201);
    expect(t.app.stats().faults).toBe(0);
  });

  it('POST /_faults changes faults at runtime, {"rate":0} turns them off, bad input is 422', async () => {
    const off = await t.call('POST', '/_faults', { key: null, body: { rate: 0 } });
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ faults: null });
    expect((await t.call('GET', '/api/users')).status).toBe(200);

    const on = await t.call('POST', '/_faults', { key: null, body: { rate: 1, kinds: ['5xx'] } });
    expect(on.body).toEqual({ faults: { rate: 1, kinds: ['5xx'] } });
    expect((await t.call('GET', '/api/users')).status).toBe(503);

    const bad = await t.call('POST', '/_faults', { key: null, body: { rate: 2, kinds: ['5xx'] } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe('Expected `faults.rate` to be a number between 0 and 1, got `2` (number)');
    expect((await t.call('POST', '/_faults', { key: null, raw: '{' })).status).toBe(400);
  });

  it('a seeded mix replays identically after reset', async () => {
    const run = async () => {
      t.app.reset();
      t.app.setFaults({ rate: 0.5, kinds: ['5xx'], seed: 99 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await t.call('GET', '/api/users')).status);
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    expect(t.app.stats().faults).toBe(first.filter((s) => s === 503).length);
  });
});
