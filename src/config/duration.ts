/** Durations in config and connector files: milliseconds as a number, or "500ms", "30s", "1m", "1h". */
import { z } from 'zod';

const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;
const FACTOR = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

export const duration = z
  .union([
    z.number().nonnegative(),
    z.string().regex(PATTERN, 'Expected a duration such as "500ms", "30s", "1m" or "1h"'),
  ])
  .describe('A duration: a number of milliseconds, or a string such as "500ms", "30s", "1m", "1h".');

/** A rate-limit period: a budget per 0 ms means nothing. */
export const period = duration.refine((value) => toMilliseconds(value) > 0, 'The period must be longer than 0');

export function toMilliseconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = PATTERN.exec(value);
  if (!match) throw new Error(`Invalid duration "${value}"`);
  return Number(match[1]) * FACTOR[match[2] as keyof typeof FACTOR];
}
