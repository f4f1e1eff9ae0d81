/** RFC 7644 §3.4.2: ListResponse and the startIndex/count arithmetic (1-based; out-of-range values clamped). */
import { URN } from '../schema/urns.ts';
import type { ScimResource } from '../schema/types.ts';

export interface Page {
  startIndex: number;
  count: number;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** startIndex < 1 (or not a number) is 1; count < 0 is 0; count above the maximum is the maximum. */
export function parsePage(startIndex: unknown, count: unknown, maxPageSize = MAX_PAGE_SIZE, defaultPageSize = DEFAULT_PAGE_SIZE): Page {
  const start = Number.parseInt(String(startIndex ?? ''), 10);
  const size = Number.parseInt(String(count ?? ''), 10);
  return {
    startIndex: Number.isFinite(start) && start >= 1 ? start : 1,
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
