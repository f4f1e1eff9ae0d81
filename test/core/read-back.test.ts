import { describe, expect, it } from 'vitest';
import { hashOf, readBack, stableStringify } from '../../src/core/read-back.ts';
import { mulberry32 } from '../../src/demo-app/seeded-random.ts';

/** The first version, kept as the reference: stored app hashes were made with it. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const KEYS = ['a', 'B', 'b', 'é', 'Z', '10', '9', 'urn:x:User', '', '__proto__x', 'emails', '😀'];

function value(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return next() < 0.5;
    case 3:
      return Math.floor(next() * 1e6) / (next() < 0.5 ? 1 : 7);
    case 4:
      return `s${Math.floor(next() * 100)}"\\\n\u2028`;
    case 5:
      return KEYS[Math.floor(next() * KEYS.length)]!;
    case 6:
    case 7: {
      const out: Record<string, unknown> = {};
      const size = Math.floor(next() * 5);
      for (let i = 0; i < size; i++) out[KEYS[Math.floor(next() * KEYS.length)]!] = value(next, depth + 1);
      return out;
    }
    default:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
  }
}

describe('stableStringify', () => {
  it('writes exactly what the first version wrote, for 5,000 generated values', () => {
    const next = mulberry32(20261206);
    for (let i = 0; i < 5000; i++) {
      const input = value(next, 0);
      expect(stableStringify(input), JSON.stringify(input)).toBe(reference(input));
    }
  });

  it('orders objects of 0 to 24 keys in any arrival order as the first version did (short lists are sorted by hand)', () => {
    const next = mulberry32(7);
    const alphabet = ['a', 'A', 'aa', '1', 'b', 'Z', 'z', 'é', 'e', '😀', '\uffff', 'urn:x', 'x-1', 'x_1', 'X'];
    for (let i = 0; i < 2000; i++) {
      const size = Math.floor(next() * 25);
      const out: Record<string, number> = {};
      for (let k = 0; k < size; k++)
        out[`${alphabet[Math.floor(next() * alphabet.length)]!}${Math.floor(next() * 40)}`] = k;
      expect(stableStringify(out)).toBe(reference(out));
    }
  });

  it('writes keys that an object would reorder or refuse, and values JSON cannot hold, as the first version did', () => {
    const odd = JSON.parse('{"b":1,"__proto__":{"x":[1,2]},"10":"ten","9":"nine","a":[null]}') as unknown;
    expect(stableStringify(odd)).toBe(reference(odd));
    const functions = { a: () => 1, b: [undefined, 1], c: Symbol.for('s') };
    expect(stableStringify(functions)).toBe(reference(functions));
    expect(stableStringify([undefined])).toBe(reference([undefined]));
    expect(stableStringify(undefined)).toBe(reference(undefined));
  });

  it('hashes a user as it always has (stored app hashes stay valid)', () => {
    const user = { userName: 'ada@contoso.com', name: { givenName: 'Ada', familyName: 'L' }, emails: [{ value: 'a' }] };
    expect(stableStringify(user)).toBe(
      '{"emails":[{"value":"a"}],"name":{"familyName":"L","givenName":"Ada"},"userName":"ada@contoso.com"}',
    );
    expect(hashOf({ ...user, title: undefined })).toBe(hashOf(user));
  });
});

describe('readBack', () => {
  it('takes the hash the caller already has, with the same answer as computing it', () => {
    const app = { userName: 'u', title: 'App title' };
    const shadow = { userName: 'u', title: 'Written' };
    const input = { app, shadow, appHash: 'stale', mapped: new Set(['title', 'userName']) };
    expect(readBack(input)).toEqual(readBack({ ...input, appHashNow: hashOf(app) }));
    expect(readBack({ ...input, appHash: hashOf(app), appHashNow: hashOf(app) }).title).toBe('Written');
  });
});
