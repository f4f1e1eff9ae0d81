/**
 * Seeded fault injection. The PRNG is reseeded whenever the settings change, so a test that sets
 * a seed sees the same sequence of faults on every run.
 */
import { optionError } from './errors.ts';
import { mulberry32 } from './seeded-random.ts';

export type FaultKind = '5xx' | 'reset' | 'slow';

export interface FaultOptions {
  /** Probability in [0, 1] that an /api request gets a fault. */
  rate: number;
  kinds: FaultKind[];
  /** Delay for `slow` faults; default 3000. */
  slowMs?: number;
  seed?: number;
}

const KINDS: readonly FaultKind[] = ['5xx', 'reset', 'slow'];
const DEFAULT_SLOW_MS = 3000;
const DEFAULT_SEED = 1;

/** Throws a TypeError naming the offending option; returns a normalized copy. */
export function validateFaultOptions(value: unknown, name = 'faults'): FaultOptions {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw optionError(name, 'an object', value);
  }
  const input = value as Record<string, unknown>;
  const { rate, kinds, slowMs, seed } = input;
  if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
    throw optionError(`${name}.rate`, 'a number between 0 and 1', rate);
  }
  // With rate 0 nothing is ever picked, so `{ rate: 0 }` alone is a valid way to say "off".
  const kindsOk =
    kinds === undefined
      ? rate === 0
      : Array.isArray(kinds) && (kinds.length > 0 || rate === 0) && kinds.every((k) => KINDS.includes(k as FaultKind));
  if (!kindsOk) {
    throw optionError(`${name}.kinds`, `a non-empty array of ${KINDS.map((k) => `"${k}"`).join(', ')}`, kinds);
  }
  if (slowMs !== undefined && (typeof slowMs !== 'number' || !Number.isFinite(slowMs) || slowMs < 0)) {
    throw optionError(`${name}.slowMs`, 'a number >= 0', slowMs);
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw optionError(`${name}.seed`, 'an integer', seed);
  }
  const out: FaultOptions = { rate, kinds: [...((kinds as FaultKind[] | undefined) ?? [])] };
  if (slowMs !== undefined) out.slowMs = slowMs;
  if (seed !== undefined) out.seed = seed as number;
  return out;
}

export class FaultInjector {
  #options: FaultOptions | undefined;
  #random: () => number = mulberry32(DEFAULT_SEED);

  constructor(options?: FaultOptions) {
    this.set(options);
  }

  get options(): FaultOptions | undefined {
    return this.#options;
  }

  get slowMs(): number {
    return this.#options?.slowMs ?? DEFAULT_SLOW_MS;
  }

  set(options: FaultOptions | undefined): void {
    this.#options = options === undefined ? undefined : validateFaultOptions(options);
    this.#random = mulberry32(this.#options?.seed ?? DEFAULT_SEED);
  }

  /** Restarts the sequence without changing the settings (used by reset). */
  reseed(): void {
    this.#random = mulberry32(this.#options?.seed ?? DEFAULT_SEED);
  }

  /** Decides the fate of one request: a fault kind, or undefined to serve it normally. */
  pick(): FaultKind | undefined {
    const options = this.#options;
    if (!options || options.rate === 0 || options.kinds.length === 0) return undefined;
    if (this.#random() >= options.rate) return undefined;
    return options.kinds[Math.floor(this.#random() * options.kinds.length)];
  }
}
