import { describe, expect, it } from 'vitest';
import { decideRetry, type RetryInput } from '../../src/outbound/retry-policy.ts';

/** A first failed attempt with plenty of time left and a deterministic jitter (random = 1 → full backoff). */
function input(overrides: Partial<RetryInput> = {}): RetryInput {
  return {
    attempt: 1,
    maxAttempts: 4,
    reason: 'transient',
    method: 'GET',
    conflictDetectable: false,
    initialDelayMs: 100,
    maxDelayMs: 10_000,
    remainingMs: 60_000,
    random: () => 1,
    ...overrides,
  };
}

describe('decideRetry: which failures are retried', () => {
  const cases: { name: string; overrides: Partial<RetryInput>; retry: boolean }[] = [
    { name: 'rateLimited GET', overrides: { reason: 'rateLimited', method: 'GET' }, retry: true },
    {
      name: 'rateLimited POST (the app refused it, so repeating is safe)',
      overrides: { reason: 'rateLimited', method: 'POST' },
      retry: true,
    },
    { name: 'transient GET', overrides: { method: 'GET' }, retry: true },
    { name: 'transient PUT', overrides: { method: 'PUT' }, retry: true },
    { name: 'transient DELETE', overrides: { method: 'DELETE' }, retry: true },
    { name: 'transient PATCH', overrides: { method: 'PATCH' }, retry: true },
    { name: 'transient lower-case get', overrides: { method: 'get' }, retry: true },
    { name: 'transient POST', overrides: { method: 'POST' }, retry: false },
    {
      name: 'transient POST with conflict detection',
      overrides: { method: 'POST', conflictDetectable: true },
      retry: true,
    },
    { name: 'notSent POST', overrides: { reason: 'notSent', method: 'POST' }, retry: true },
    { name: 'notSent GET', overrides: { reason: 'notSent', method: 'GET' }, retry: true },
  ];
  it.each(cases)('$name → retry $retry', ({ overrides, retry }) => {
    expect(decideRetry(input(overrides)).retry).toBe(retry);
  });

  it('says why an unsafe POST is not retried, with a client wait of at least 1 s', () => {
    expect(decideRetry(input({ method: 'POST' }))).toEqual({ retry: false, why: 'unsafe', retryAfterMs: 1000 });
  });
});

describe('decideRetry: attempts', () => {
  it.each([
    { attempt: 1, maxAttempts: 3, retry: true },
    { attempt: 2, maxAttempts: 3, retry: true },
    { attempt: 3, maxAttempts: 3, retry: false },
    { attempt: 5, maxAttempts: 3, retry: false },
    { attempt: 1, maxAttempts: 1, retry: false },
  ])('attempt $attempt of $maxAttempts → retry $retry', ({ attempt, maxAttempts, retry }) => {
    const decision = decideRetry(input({ attempt, maxAttempts }));
    expect(decision.retry).toBe(retry);
    if (!decision.retry) expect(decision.why).toBe('attempts');
  });

  it('stops at maxAttempts even when rate limited', () => {
    expect(decideRetry(input({ reason: 'rateLimited', attempt: 4, maxAttempts: 4 }))).toMatchObject({
      retry: false,
      why: 'attempts',
    });
  });
});

describe('decideRetry: delays', () => {
  it('uses the wait the app asked for (Retry-After) as the delay', () => {
    expect(decideRetry(input({ reason: 'rateLimited', requestedWaitMs: 1500 }))).toEqual({
      retry: true,
      delayMs: 1500,
    });
    // The app's wait wins over the backoff, even when longer than maxDelay.
    expect(decideRetry(input({ requestedWaitMs: 20_000, maxDelayMs: 1000 }))).toEqual({ retry: true, delayMs: 20_000 });
    expect(decideRetry(input({ requestedWaitMs: 0 }))).toEqual({ retry: true, delayMs: 0 });
  });

  it('gives up with why "deadline" when the delay would pass the deadline', () => {
    const decision = decideRetry(input({ reason: 'rateLimited', requestedWaitMs: 5000, remainingMs: 3000 }));
    expect(decision).toEqual({ retry: false, why: 'deadline', retryAfterMs: 5000 });
  });

  it('reports at least 1000 ms to the client when giving up at the deadline on a short delay', () => {
    const decision = decideRetry(input({ initialDelayMs: 100, remainingMs: 50 }));
    expect(decision.retry).toBe(false);
    if (decision.retry) return;
    expect(decision.why).toBe('deadline');
    expect(decision.retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it('treats a delay equal to the time left as past the deadline', () => {
    expect(decideRetry(input({ requestedWaitMs: 1000, remainingMs: 1000 }))).toMatchObject({
      retry: false,
      why: 'deadline',
    });
  });

  const backoffCases = [
    { attempt: 1, backoff: 100 },
    { attempt: 2, backoff: 200 },
    { attempt: 3, backoff: 400 },
    { attempt: 4, backoff: 800 },
    { attempt: 7, backoff: 5000 },
    { attempt: 9, backoff: 5000 },
  ];
  it.each(backoffCases)('attempt $attempt: jittered backoff within [$backoff/2, $backoff]', ({ attempt, backoff }) => {
    const at = (random: number) =>
      decideRetry(input({ attempt, maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 5000, random: () => random }));
    expect(at(0)).toEqual({ retry: true, delayMs: backoff / 2 });
    expect(at(1)).toEqual({ retry: true, delayMs: backoff });
    for (const random of [0.1, 0.37, 0.5, 0.99]) {
      const decision = at(random);
      if (!decision.retry) throw new Error('expected a retry');
      expect(decision.delayMs).toBeGreaterThanOrEqual(backoff / 2);
      expect(decision.delayMs).toBeLessThanOrEqual(backoff);
      expect(decision.delayMs).toBe(Math.round(backoff / 2 + (random * backoff) / 2));
    }
  });

  it('caps the backoff by maxDelay', () => {
    for (let attempt = 1; attempt < 10; attempt++) {
      const decision = decideRetry(input({ attempt, maxAttempts: 10, initialDelayMs: 250, maxDelayMs: 1000 }));
      if (!decision.retry) throw new Error('expected a retry');
      expect(decision.delayMs).toBeLessThanOrEqual(1000);
    }
  });

  it('uses Math.random when no random is injected, staying within bounds', () => {
    const { random: _unused, ...rest } = input({ attempt: 3 });
    for (let i = 0; i < 20; i++) {
      const decision = decideRetry(rest);
      if (!decision.retry) throw new Error('expected a retry');
      expect(decision.delayMs).toBeGreaterThanOrEqual(200);
      expect(decision.delayMs).toBeLessThanOrEqual(400);
    }
  });
});
