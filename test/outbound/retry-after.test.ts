import { describe, expect, it } from 'vitest';
import { parseResetHeader, parseRetryAfter, waitFromHeaders } from '../../src/outbound/retry-after.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    [' 7 ', 7000],
    ['1.5', 1500],
    ['0.25', 250],
  ])('delay-seconds %j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('reads an IMF-fixdate in the future as the time until then', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 12:00:30 GMT', NOW)).toBe(30_000);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Sat, 01 Mar 2025 11:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', NOW)).toBe(0);
  });

  it('reads the obsolete RFC 850 and asctime forms as GMT', () => {
    expect(parseRetryAfter('Saturday, 01-Mar-25 12:01:00 GMT', NOW)).toBe(60_000);
    // asctime has no zone; it means GMT whatever the process's time zone (Node applies TZ changes at once).
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(parseRetryAfter('Sat Mar  1 12:00:10 2025', NOW)).toBe(10_000);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('tolerates an ISO 8601 date-time with an explicit zone', () => {
    expect(parseRetryAfter('2025-03-01T12:00:30Z', NOW)).toBe(30_000);
    expect(parseRetryAfter('2025-03-01T13:00:30+01:00', NOW)).toBe(30_000);
  });

  it('uses the real clock when no now is given', () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    const wait = parseRetryAfter(inOneMinute);
    expect(wait).toBeGreaterThan(55_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });

  // Date.parse alone would read '-1', 'abc 1' or 'x 2020' as dates (in 2001/2020), i.e. "retry now".
  it.each([
    'soon',
    'garbage',
    '',
    '   ',
    '-1',
    '-5',
    'abc 1',
    '1e3',
    '10abc',
    '5 seconds',
    'x 2020',
    '2025-03-01T12:00:30',
  ])('garbage %j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('missing → undefined', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('parseResetHeader', () => {
  it('reads small numbers as seconds from now', () => {
    expect(parseResetHeader('30', NOW)).toBe(30_000);
    expect(parseResetHeader('0', NOW)).toBe(0);
    expect(parseResetHeader('2.5', NOW)).toBe(2500);
  });

  it('reads epoch seconds', () => {
    expect(parseResetHeader(String(NOW / 1000 + 42), NOW)).toBe(42_000);
    expect(parseResetHeader(String(NOW / 1000 - 42), NOW)).toBe(0);
  });

  it('reads epoch milliseconds', () => {
    expect(parseResetHeader(String(NOW + 1234), NOW)).toBe(1234);
    expect(parseResetHeader(String(NOW - 1234), NOW)).toBe(0);
  });

  it('falls back to an HTTP date, and rejects garbage', () => {
    expect(parseResetHeader('Sat, 01 Mar 2025 12:00:05 GMT', NOW)).toBe(5000);
    expect(parseResetHeader('never', NOW)).toBeUndefined();
    expect(parseResetHeader('-3', NOW)).toBeUndefined();
    expect(parseResetHeader(undefined, NOW)).toBeUndefined();
  });
});

describe('waitFromHeaders', () => {
  it('prefers Retry-After over reset headers', () => {
    expect(waitFromHeaders({ 'retry-after': '3', 'x-ratelimit-reset': '60', 'x-ratelimit-remaining': '0' }, NOW)).toBe(
      3000,
    );
  });

  it('uses x-ratelimit-reset when remaining is 0', () => {
    expect(waitFromHeaders({ 'x-ratelimit-reset': String(NOW / 1000 + 4), 'x-ratelimit-remaining': '0' }, NOW)).toBe(
      4000,
    );
  });

  it('uses x-ratelimit-reset when remaining is absent', () => {
    expect(waitFromHeaders({ 'x-ratelimit-reset': '9' }, NOW)).toBe(9000);
  });

  it('ignores x-ratelimit-reset while requests remain', () => {
    expect(waitFromHeaders({ 'x-ratelimit-reset': '9', 'x-ratelimit-remaining': '5' }, NOW)).toBeUndefined();
  });

  it('knows the IETF draft and the dashed spellings', () => {
    expect(waitFromHeaders({ 'ratelimit-reset': '2', 'ratelimit-remaining': '0' }, NOW)).toBe(2000);
    expect(waitFromHeaders({ 'x-rate-limit-reset': '6' }, NOW)).toBe(6000);
    expect(waitFromHeaders({ 'x-rate-limit-reset': '6', 'x-rate-limit-remaining': '1' }, NOW)).toBeUndefined();
  });

  it('falls through a garbage Retry-After to the reset header', () => {
    expect(waitFromHeaders({ 'retry-after': 'later', 'x-ratelimit-reset': '2' }, NOW)).toBe(2000);
  });

  it('is undefined when no header asks for a wait', () => {
    expect(waitFromHeaders({}, NOW)).toBeUndefined();
    expect(waitFromHeaders({ 'content-type': 'application/json' }, NOW)).toBeUndefined();
  });
});
