import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerOptions, type BreakerState } from '../../src/outbound/circuit-breaker.ts';
import { UnavailableError } from '../../src/errors.ts';

/** A breaker on a hand-moved clock, with its state changes recorded. */
function breaker(options: BreakerOptions = {}) {
  let now = 1_000_000;
  const changes: BreakerState[] = [];
  const subject = new CircuitBreaker({
    failureThreshold: 3,
    windowMs: 1000,
    openMs: 500,
    maxOpenMs: 1800,
    now: () => now,
    onChange: (state) => changes.push(state),
    ...options,
  });
  return {
    subject,
    changes,
    advance(ms: number) {
      now += ms;
    },
    fail(times: number) {
      for (let i = 0; i < times; i++) subject.failure();
    },
  };
}

/** The 503 that admit throws, or fails the test. */
function refusal(subject: CircuitBreaker): UnavailableError {
  try {
    subject.admit('crm');
  } catch (error) {
    expect(error).toBeInstanceOf(UnavailableError);
    return error as UnavailableError;
  }
  throw new Error('expected admit to refuse');
}

describe('CircuitBreaker', () => {
  it('refuses a threshold below 1', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(/failureThreshold/);
  });

  it('starts closed and admits calls that are not probes', () => {
    const { subject, changes } = breaker();
    expect(subject.state).toBe('closed');
    expect(subject.admit('crm')).toBe(false);
    expect(subject.admit('crm')).toBe(false);
    expect(changes).toEqual([]);
  });

  it('opens after `failureThreshold` failures within the window', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(2);
    expect(subject.state).toBe('closed');
    advance(900);
    fail(1);
    expect(subject.state).toBe('open');
    expect(changes).toEqual(['open']);
  });

  it('a success in between resets the count: failures must come in a row', () => {
    const { subject, fail } = breaker();
    fail(2);
    subject.success();
    fail(2);
    expect(subject.state).toBe('closed');
    fail(1);
    expect(subject.state).toBe('open');
  });

  it('does not open for failures spread beyond the window', () => {
    const { subject, advance, fail } = breaker();
    for (let i = 0; i < 10; i++) {
      fail(1);
      advance(600);
    }
    expect(subject.state).toBe('closed');
  });

  it('counts the last `windowMs`, not a fixed window from the first failure', () => {
    const { subject, advance, fail } = breaker();
    fail(1);
    advance(900);
    fail(1);
    advance(200);
    // The first failure is 1100 ms old; the last two are 200 ms apart.
    fail(1);
    expect(subject.state).toBe('closed');
    advance(100);
    // Three failures within 300 ms: the app is failing.
    fail(1);
    expect(subject.state).toBe('open');
  });

  it('refuses while open with Retry-After ≈ the remaining open time', () => {
    const { subject, advance, fail } = breaker({ openMs: 5000, maxOpenMs: 60_000 });
    fail(3);
    const first = refusal(subject);
    expect(first).toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE', retryAfter: 5 });
    advance(2100);
    expect(refusal(subject).retryAfter).toBe(3);
    advance(2800);
    // 100 ms left: Retry-After is never below one second.
    expect(refusal(subject).retryAfter).toBe(1);
    expect(subject.state).toBe('open');
  });

  it('late failures of calls admitted before it opened do not keep it open longer', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(3);
    advance(300);
    // Calls that were in flight when it opened fail now.
    fail(6);
    advance(200);
    expect(subject.admit('crm')).toBe(true);
    expect(changes).toEqual(['open', 'halfOpen']);
  });

  it('goes half-open after `openMs` and lets exactly one probe through', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(3);
    advance(499);
    refusal(subject);
    advance(1);
    expect(subject.admit('crm')).toBe(true);
    expect(subject.state).toBe('halfOpen');
    const second = refusal(subject);
    expect(second.message).toMatch(/probed/);
    expect(second.retryAfter).toBe(1);
    refusal(subject);
    expect(changes).toEqual(['open', 'halfOpen']);
  });

  it('closes when the probe succeeds', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(3);
    advance(500);
    expect(subject.admit('crm')).toBe(true);
    subject.success();
    expect(subject.state).toBe('closed');
    expect(subject.admit('crm')).toBe(false);
    expect(subject.admit('crm')).toBe(false);
    expect(changes).toEqual(['open', 'halfOpen', 'closed']);
    // The count starts over: two failures do not reopen it.
    fail(2);
    expect(subject.state).toBe('closed');
  });

  it('reopens for twice as long when the probe fails, up to `maxOpenMs`', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(3);
    const openFor: number[] = [];
    for (let round = 0; round < 4; round++) {
      // Find how long it stays open, in 10 ms steps.
      let waited = 0;
      for (;;) {
        try {
          if (subject.admit('crm')) break;
        } catch {
          advance(10);
          waited += 10;
        }
        if (waited > 10_000) throw new Error('never half-opened');
      }
      openFor.push(waited);
      subject.failure();
      expect(subject.state).toBe('open');
    }
    expect(openFor).toEqual([500, 1000, 1800, 1800]);
    expect(changes).toEqual(['open', 'halfOpen', 'open', 'halfOpen', 'open', 'halfOpen', 'open', 'halfOpen', 'open']);
  });

  it('a success resets the open time to `openMs`', () => {
    const { subject, advance, fail } = breaker();
    fail(3);
    advance(500);
    subject.admit('crm');
    subject.failure();
    advance(1000);
    subject.admit('crm');
    subject.success();
    fail(3);
    expect(refusal(subject).retryAfter).toBe(1);
    advance(500);
    expect(subject.admit('crm')).toBe(true);
  });

  it('abandon lets the next probe in without changing the state', () => {
    const { subject, changes, advance, fail } = breaker();
    fail(3);
    advance(500);
    expect(subject.admit('crm')).toBe(true);
    refusal(subject);
    subject.abandon();
    expect(subject.state).toBe('halfOpen');
    expect(subject.admit('crm')).toBe(true);
    refusal(subject);
    expect(changes).toEqual(['open', 'halfOpen']);
  });

  it('calls onChange once per real transition', () => {
    const { subject, changes, advance, fail } = breaker();
    subject.success();
    fail(5);
    advance(500);
    subject.admit('crm');
    subject.success();
    subject.success();
    expect(changes).toEqual(['open', 'halfOpen', 'closed']);
  });
});
