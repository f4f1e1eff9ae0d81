/** RFC 7644 §3.4.2: ListResponse and the startIndex/count arithmetic (1-based; out-of-range values clamped). */
import { URN } from '../schema/urns.ts';
import type { ScimResource } from '../schema/types.ts';

export interface Page {
  startIndex: number;
  count: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/**
 * The highest startIndex honoured: far above any app's size, and small enough that offsets computed from
 * it stay exact integers (1e17 would not, and used to come back as page 1 labelled as position 1e17).
 */
export const MAX_START_INDEX = 2_147_483_647;

/** startIndex < 1 (or not a number) is 1, above MAX_START_INDEX it is that; count < 0 is 0; count above the maximum is the maximum. */
export function parsePage(
  startIndex: unknown,
  count: unknown,
  maxPageSize = MAX_PAGE_SIZE,
  defaultPageSize = DEFAULT_PAGE_SIZE,
): Page {
  // Number, not parseInt: parseInt("1e17") is 1, which would answer page 1 for a startIndex of 1e17.
  const number = (value: unknown) => {
    if (typeof value === 'number') return Math.trunc(value);
    return typeof value === 'string' && value.trim() !== '' ? Math.trunc(Number(value)) : Number.NaN;
  };
  const start = number(startIndex);
  const size = number(count);
  return {
    startIndex: Number.isFinite(start) && start >= 1 ? Math.min(start, MAX_START_INDEX) : 1,
    count: Number.isFinite(size) ? Math.min(Math.max(size, 0), maxPageSize) : Math.min(defaultPageSize, maxPageSize),
  };
}

export function listResponse(resources: ScimResource[], totalResults: number, startIndex: number): ScimResource {
  return {
    schemas: [URN.listResponse],
    totalResults,
    Resources: resources,
    startIndex,
    itemsPerPage: resources.length,
  };
}
