import { afterEach, describe, expect, it, vi } from 'vitest';
import { linkedSignal } from '../../src/outbound/linked-signal.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('linkedSignal', () => {
  it('fires with the reason of the source that fired', () => {
    const a = new AbortController();
    const b = new AbortController();
    const linked = linkedSignal([a.signal, undefined, b.signal]);
    b.abort(new Error('b went'));
    expect(linked.signal.aborted).toBe(true);
    expect((linked.signal.reason as Error).message).toBe('b went');
  });

  it('is aborted from the start when a source already is', () => {
    const a = new AbortController();
    a.abort('gone');
    expect(linkedSignal([a.signal]).signal.reason).toBe('gone');
  });

  it('times out with a TimeoutError, and not once released', () => {
    vi.useFakeTimers();
    const timed = linkedSignal([], 50);
    vi.advanceTimersByTime(49);
    expect(timed.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect((timed.signal.reason as DOMException).name).toBe('TimeoutError');
    const released = linkedSignal([], 50);
    released.release();
    vi.advanceTimersByTime(100);
    expect(released.signal.aborted).toBe(false);
  });

  it('leaves a shared source without its listener once released, and without a warning for many', async () => {
    const shared = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    const linked = Array.from({ length: 50 }, () => linkedSignal([shared.signal]));
    for (const one of linked.slice(0, 49)) one.release();
    shared.abort('closed');
    // Node emits its warnings on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(linked.filter((one) => one.signal.aborted)).toHaveLength(1);
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
