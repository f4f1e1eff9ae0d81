/**
 * Walks an app's list endpoint page by page: offset/limit, page number, a cursor in the body, an RFC 8288
 * Link header, or a next URL in the body. Offset and page APIs can start in the middle, so a SCIM
 * `startIndex` far into a large app does not read everything before it.
 */
import { UpstreamError } from '../errors.ts';
import type { CallContext, Caller } from './caller.ts';
import type { CompiledOutcome, CompiledPagination, CompiledRequest } from './compiled.ts';
import type { Bindings, CompiledExpression } from './expression.ts';
import { outcomeError } from './outcomes.ts';

export interface Page {
  items: unknown[];
  /** The app's total count, when its pagination reports one. */
  total?: number;
  /** 0-based position of the first item of this page in the whole list. */
  offset: number;
  /** Whether the walk goes on after this page (the app says there is a next one, not yet read). */
  more: boolean;
}

export interface WalkSpec {
  request: CompiledRequest;
  pagination: CompiledPagination;
  items: CompiledExpression;
  outcomes: readonly CompiledOutcome[];
  operation: string;
}

export interface WalkOptions {
  /** Start at this 0-based item position when the pagination allows random access. */
  startOffset?: number;
  /** Replaces the request's query (a pushed-down filter); paging parameters are still added. */
  query?: [string, string][];
  /** Replaces the request's url template (a pushed-down filter's url, rendered); relative to baseUrl. */
  path?: string;
}

/** Parses an RFC 8288 Link header into relation → URL. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>(.*)/.exec(part.trim());
    if (!match) continue;
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(match[2] ?? '');
    for (const name of (rel?.[1] ?? '').split(/\s+/).filter(Boolean)) links[name.toLowerCase()] = match[1] ?? '';
  }
  return links;
}

function toArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as unknown[])] : [value];
}

/**
 * The next page's URL, resolved against the current one. It must parse, and stay on the app's origin:
 * the request carries the app's credentials.
 */
function nextPageUrl(next: string, current: string, connector: string, operation: string): string {
  let url: URL;
  try {
    url = new URL(next, current);
  } catch {
    throw new UpstreamError(
      'SCIMGW_UPSTREAM_PAGING',
      `${connector} ${operation}: the app's next page link is not a URL; stopped paging`,
    );
  }
  if (url.origin !== new URL(current).origin) {
    throw new UpstreamError(
      'SCIMGW_UPSTREAM_PAGING',
      `${connector} ${operation}: the app's next page is on another host (${url.host}); not following it with the app's credentials`,
    );
  }
  return url.toString();
}

/** Where a walk is: the next page's position, cursor or URL, and what it has already been given. */
interface WalkState {
  offset: number;
  cursor?: string;
  nextUrl?: string;
  readonly visited: Set<string>;
  readonly cursors: Set<string>;
}

/** The paging parameters of the next request (none when following a next URL as given). */
function pagingQuery(pagination: CompiledPagination, state: WalkState, size: number): [string, string][] {
  switch (pagination.type) {
    case 'offset':
      return [
        [pagination.offsetParam, String(pagination.startOffset + state.offset)],
        [pagination.limitParam, String(size)],
      ];
    case 'page':
      return [
        [pagination.pageParam, String(pagination.firstPage + state.offset / size)],
        [pagination.sizeParam, String(size)],
      ];
    case 'cursor':
      return [
        ...(pagination.sizeParam ? ([[pagination.sizeParam, String(size)]] as [string, string][]) : []),
        ...(state.cursor !== undefined ? ([[pagination.cursorParam, state.cursor]] as [string, string][]) : []),
      ];
    case 'link':
    case 'nextUrl':
      return pagination.sizeParam && state.nextUrl === undefined ? [[pagination.sizeParam, String(size)]] : [];
    default:
      return [];
  }
}

/** The app's total count from a page, when its pagination reports one. */
async function totalOf(pagination: CompiledPagination, body: unknown, bindings: Bindings): Promise<number | undefined> {
  if ((pagination.type !== 'offset' && pagination.type !== 'page') || !pagination.total) return undefined;
  const value = await pagination.total.evaluate(body, bindings);
  const total =
    typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : undefined;
  return total !== undefined && Number.isFinite(total) ? total : undefined;
}

interface Answered {
  items: unknown[];
  total: number | undefined;
  body: unknown;
  headers: Record<string, string>;
  url: string;
  bindings: Bindings;
}

/** Moves the walk past a page; true when there is a next page not yet read. */
async function advance(
  pagination: CompiledPagination,
  state: WalkState,
  page: Answered,
  size: number,
  where: { connector: string; operation: string },
): Promise<boolean> {
  const { items } = page;
  state.offset += items.length;
  state.visited.add(page.url);
  if (items.length === 0) return false;
  switch (pagination.type) {
    case 'offset':
    case 'page':
      // With a total, keep going past short pages: an app may cap page sizes below ours.
      return page.total !== undefined ? state.offset < page.total : items.length >= size;
    case 'cursor': {
      if (pagination.stop && (await pagination.stop.evaluate(page.body, page.bindings))) return false;
      const next = await pagination.cursor.evaluate(page.body, page.bindings);
      if (next === undefined || next === null || next === '') return false;
      const cursor = typeof next === 'string' ? next : JSON.stringify(next);
      // A cursor handed out twice would walk the same pages until the deadline.
      const fresh = !state.cursors.has(cursor);
      state.cursor = cursor;
      state.cursors.add(cursor);
      return fresh;
    }
    case 'link':
    case 'nextUrl': {
      const next =
        pagination.type === 'link'
          ? parseLinkHeader(page.headers.link)[pagination.rel.toLowerCase()]
          : await pagination.next.evaluate(page.body, page.bindings);
      if (typeof next !== 'string' || next === '') return false;
      state.nextUrl = nextPageUrl(next, page.url, where.connector, where.operation);
      // A link back to a page already read (the same page, or a loop) ends the walk.
      return !state.visited.has(state.nextUrl);
    }
    default:
      return false;
  }
}

export async function* walkPages(
  caller: Caller,
  spec: WalkSpec,
  bindings: Bindings,
  secretBindings: Bindings,
  context: CallContext,
  options: WalkOptions = {},
): AsyncGenerator<Page> {
  const pagination = spec.pagination;
  const start = options.startOffset ?? 0;
  const size = pagination.type === 'none' ? 0 : pagination.pageSize;
  // Random access: offset and page APIs begin at the page holding `start`.
  const offset =
    pagination.type === 'offset' ? start : pagination.type === 'page' ? Math.floor(start / size) * size : 0;
  const state: WalkState = { offset, visited: new Set(), cursors: new Set() };
  const where = { connector: caller.connectorId, operation: spec.operation };
  for (let pageNumber = 0; pageNumber < 100_000; pageNumber++) {
    const request = await caller.render(spec.request, bindings, secretBindings, {
      ...(state.nextUrl !== undefined
        ? { url: state.nextUrl }
        : options.path !== undefined
          ? { path: options.path }
          : {}),
      ...(options.query ? { queryOverride: options.query } : {}),
      extraQuery: state.nextUrl !== undefined ? [] : pagingQuery(pagination, state, size),
    });
    const response = await caller.send(request, spec.outcomes, context, {
      operation: spec.operation,
      conflictDetectable: false,
    });
    if (response.outcome.result !== 'success') {
      throw outcomeError(response.outcome.result, {
        ...where,
        status: response.status,
        ...(response.outcome.message ? { message: response.outcome.message } : {}),
      });
    }
    const pageBindings = { ...bindings, status: response.status, headers: response.headers };
    const items = toArray(await spec.items.evaluate(response.body, pageBindings));
    const total = await totalOf(pagination, response.body, pageBindings);
    const pageOffset = state.offset;
    const answered = {
      items,
      total,
      body: response.body,
      headers: response.headers,
      url: request.url,
      bindings: pageBindings,
    };
    const more = pagination.type !== 'none' && (await advance(pagination, state, answered, size, where));
    yield { items, offset: pageOffset, more, ...(total !== undefined ? { total } : {}) };
    if (!more) return;
  }
  throw new UpstreamError(
    'SCIMGW_UPSTREAM_PAGING',
    `${caller.connectorId} ${spec.operation}: the app kept returning pages; stopped after 100000`,
  );
}
