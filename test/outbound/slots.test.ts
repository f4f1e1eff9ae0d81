import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/outbound/slots.ts';

function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('Slots', () => {
  it('runs at most `concurrency` tasks at once and starts the rest in arrival order', async () => {
    const slots = new Slots(2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g, index) =>
      slots.run(async () => {
        started.push(index);
        await g.promise;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([slots.pending, slots.size]).toEqual([2, 2]);
    gates[1]!.open();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
    expect([slots.pending, slots.size]).toEqual([0, 0]);
  });

  it('takes a waiting task out of the line when its signal fires, with the signal’s reason, and never runs it', async () => {
    const slots = new Slots(1);
    const hold = gate();
    const first = slots.run(() => hold.promise);
    const controller = new AbortController();
    let ran = false;
    const second = slots.run(async () => {
      ran = true;
    }, controller.signal);
    const third = slots.run(async () => 'third');
    const reason = new Error('hung up');
    controller.abort(reason);
    await expect(second).rejects.toBe(reason);
    expect(slots.size).toBe(1);
    hold.open();
    await first;
    expect(await third).toBe('third');
    expect(ran).toBe(false);
  });

  it('refuses a task whose signal has already fired, and frees the slot of a task that fails', async () => {
    const slots = new Slots(1);
    const reason = new Error('gone');
    await expect(slots.run(async () => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(slots.run(() => Promise.reject(new Error('app down')))).rejects.toThrow('app down');
    expect(await slots.run(async () => 'next')).toBe('next');
    expect(slots.pending).toBe(0);
  });

  it('leaves a running task alone when its signal fires', async () => {
    const slots = new Slots(1);
    const controller = new AbortController();
    const hold = gate();
    const running = slots.run(async () => {
      await hold.promise;
      return 'answered';
    }, controller.signal);
    controller.abort(new Error('late'));
    hold.open();
    expect(await running).toBe('answered');
  });

  it('accepts only a whole number of slots', () => {
    expect(() => new Slots(0)).toThrow(/integer >= 1/);
    expect(() => new Slots(1.5)).toThrow(/integer >= 1/);
  });
});
