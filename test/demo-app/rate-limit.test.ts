import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from '../../src/demo-app/rate-limit.ts';
import { startApp, type Running } from './helpers.ts';

describe('SlidingWindowLimiter', () => {
  it('counts accepted requests started within the last 1000 ms', () => {
    const limiter = new SlidingWindowLimiter(2);
    const t0 = 1_700_000_000_250;
    expect(limiter.take(t0)).toMatchObject({ allowed: true, limit: 2, remaining: 1 });
    expect(limiter.take(t0 + 600)).toMatchObject({ allowed: true, remaining: 0 });
    const denied = limiter.take(t0 + 700);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    // To the millisecond: whole seconds would make a client wait up to a second too long.
    expect(denied.resetEpochSeconds).toBe((t0 + 1000) / 1000);
    // Rejected requests do not occupy the window: the first slot frees at t0 + 1000.
    expect(limiter.take(t0 + 999).allowed).toBe(false);
    expect(limiter.take(t0 + 1000)).toMatchObject({ allowed: true, remaining: 0 });
    // No fixed-window burst: just after a second boundary the earlier request still counts.
    expect(limiter.take(t0 + 1500).allowed).toBe(false);
    expect(limiter.take(t0 + 1600).allowed).toBe(true);
  });

  it('clear() empties the window', () => {
    const limiter = new SlidingWindowLimiter(1);
    limiter.take(1000);
    expect(limiter.take(1001).allowed).toBe(false);
    limiter.clear();
    expect(limiter.take(1002).allowed).toBe(true);
  });
});

describe('rate limit over HTTP', () => {
  let t: Running;
  beforeAll(async () => {
    t = await startApp({ rate: 5 });
  });
  afterAll(() => t.app.close());
  beforeEach(() => t.app.reset());

  it('answers the 6th request within a second with 429 and recovers after Retry-After', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await t.call('GET', '/api/users');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('5');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(4 - i));
      expect(Number(res.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
    }
    const limited = await t.call('GET', '/api/users');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');

    // Control endpoints are neither limited nor counted.
    const stats = await t.call('GET', '/_stats', { key: null });
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ requests: 6, rate_limited: 1 });

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await t.call('GET', '/api/users')).status).toBe(200);
  });

  it('applies before auth, so unauthenticated floods are limited too', async () => {
    for (let i = 0; i < 5; i++) expect((await t.call('GET', '/api/users', { key: null })).status).toBe(401);
    const res = await t.call('GET', '/api/users', { key: null });
    expect(res.status).toBe(429);
    expect(t.app.stats().rate_limited).toBe(1);
  });
});
