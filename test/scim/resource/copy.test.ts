import { describe, expect, it } from 'vitest';
import { copyJson } from '../../../src/scim/resource/copy.ts';

describe('copyJson', () => {
  it('copies every level, sharing nothing', () => {
    const original = { a: { b: [1, { c: 'x' }, null] }, d: true, e: 'text' };
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    (copy.a.b[1] as { c: string }).c = 'changed';
    expect((original.a.b[1] as { c: string }).c).toBe('x');
    expect(copy.a).not.toBe(original.a);
  });

  it('keeps an own "__proto__" key as a key, never as the prototype', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
    const copy = copyJson(parsed);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'ok']);
  });
});
