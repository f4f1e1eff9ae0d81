import { describe, expect, it } from 'vitest';
import { Generations, type Generation } from '../../src/config/reload.ts';

function generation(name: string, closed: string[]): Generation & { name: string } {
  return { name, files: [], close: () => closed.push(name) };
}

describe('Generations', () => {
  it('hands a request the generation current when it arrived, and closes a swapped one after its last request', async () => {
    const closed: string[] = [];
    const generations = new Generations(generation('first', closed));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const request = generations.pin(async (pinned) => {
      await held;
      seen.push(pinned.name);
    });
    generations.swap(generation('second', closed));
    expect(generations.current.name).toBe('second');
    expect(generations.draining).toBe(1);
    expect(closed).toEqual([]);
    await generations.pin(async (pinned) => {
      seen.push(pinned.name);
    });
    release();
    await request;
    expect(seen).toEqual(['second', 'first']);
    expect(closed).toEqual(['first']);
    expect(generations.draining).toBe(0);
  });

  it('closes a swapped generation at once when no request holds it, and releases one whose request failed', async () => {
    const closed: string[] = [];
    const generations = new Generations(generation('first', closed));
    generations.swap(generation('second', closed));
    expect(closed).toEqual(['first']);
    const failing = generations.pin(async () => {
      throw new Error('handler failed');
    });
    generations.swap(generation('third', closed));
    await expect(failing).rejects.toThrow('handler failed');
    expect(closed).toEqual(['first', 'second']);
  });
});
