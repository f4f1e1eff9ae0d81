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
  return Array.isArray(value) ? [...value] : [value];
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
    throw new UpstreamError('SCIMGW_UPSTREAM_PAGING', `${connector} ${operation}: the app's next page link is not a URL; stopped paging`);
  }
  if (url.origin !== new URL(current).origin) {
    throw new UpstreamError('SCIMGW_UPSTREAM_PAGING', `${connector} ${operation}: the app's next page is on another host (${url.host}); not following it with the app's credentials`);
  }
  return url.toString();
}

export async function* walkPages(caller: Caller, spec: WalkSpec, bindings: Bindings, secretBindings: Bindings, context: CallContext, options: WalkOptions = {}): AsyncGenerator<Page> {
  const pagination = spec.pagination;
  const start = options.startOffset ?? 0;
  const size = pagination.type === 'none' ? 0 : pagination.pageSize;
  // Random access: offset and page APIs begin at the page holding `start`.
  let offset = pagination.type === 'offset' ? start : pagination.type === 'page' ? Math.floor(start / size) * size : 0;
  let nextUrl: string | undefined;
  let cursor: string | undefined;
  const visited = new Set<string>();
  const cursors = new Set<string>();
  for (let pageNumber = 0; pageNumber < 100_000; pageNumber++) {
    const extra: [string, string][] = [];
    switch (pagination.type) {
      case 'offset':
        extra.push([pagination.offsetParam, String(pagination.startOffset + offset)], [pagination.limitParam, String(size)]);
        break;
      case 'page':
        extra.push([pagination.pageParam, String(pagination.firstPage + offset / size)], [pagination.sizeParam, String(size)]);
        break;
      case 'cursor':
        if (pagination.sizeParam) extra.push([pagination.sizeParam, String(size)]);
        if (cursor !== undefined) extra.push([pagination.cursorParam, cursor]);
        break;
      case 'link':
      case 'nextUrl':
        if (pagination.sizeParam && nextUrl === undefined) extra.push([pagination.sizeParam, String(size)]);
        break;
    }
    const request = await caller.render(spec.request, bindings, secretBindings, {
      ...(nextUrl !== undefined ? { url: nextUrl } : options.path !== undefined ? { path: options.path } : {}),
      ...(options.query ? { queryOverride: options.query } : {}),
      extraQuery: nextUrl !== undefined ? [] : extra,
    });
    const response = await caller.send(request, spec.outcomes, context, { operation: spec.operation, conflictDetectable: false });
    if (response.outcome.result !== 'success') {
      throw outcomeError(response.outcome.result, { connector: caller.connectorId, operation: spec.operation, status: response.status, ...(response.outcome.message ? { message: response.outcome.message } : {}) });
    }
    const pageBindings = { ...bindings, status: response.status, headers: response.headers };
    const items = toArray(await spec.items.evaluate(response.body, pageBindings));
    const totalValue = (pagination.type === 'offset' || pagination.type === 'page') && pagination.total ? await pagination.total.evaluate(response.body, pageBindings) : undefined;
    const total = typeof totalValue === 'number' ? totalValue : typeof totalValue === 'string' && totalValue !== '' ? Number(totalValue) : undefined;
    const known = total !== undefined && Number.isFinite(total) ? total : undefined;
    const pageOffset = offset;
    offset += items.length;
    visited.add(request.url);
    let more = false;
    switch (pagination.type) {
      case 'none':
        break;
      case 'offset':
      case 'page':
        // With a total, keep going past short pages: an app may cap page sizes below ours.
        more = items.length > 0 && (known !== undefined ? offset < known : items.length >= size);
        break;
      case 'cursor': {
        if (items.length === 0 || (pagination.stop && (await pagination.stop.evaluate(response.body, pageBindings)))) break;
        const next = await pagination.cursor.evaluate(response.body, pageBindings);
        if (next === undefined || next === null || next === '') break;
        // A cursor handed out twice would walk the same pages until the deadline.
        more = !cursors.has(String(next));
        cursor = String(next);
        cursors.add(cursor);
        break;
      }
      case 'link':
      case 'nextUrl': {
        if (items.length === 0) break;
        const next = pagination.type === 'link' ? parseLinkHeader(response.headers.link)[pagination.rel.toLowerCase()] : await pagination.next.evaluate(response.body, pageBindings);
        if (typeof next !== 'string' || next === '') break;
        nextUrl = nextPageUrl(next, request.url, caller.connectorId, spec.operation);
        // A link back to a page already read (the same page, or a loop) ends the walk.
        more = !visited.has(nextUrl);
        break;
      }
    }
    yield { items, offset: pageOffset, more, ...(known !== undefined ? { total: known } : {}) };
    if (!more) return;
  }
  throw new UpstreamError('SCIMGW_UPSTREAM_PAGING', `${caller.connectorId} ${spec.operation}: the app kept returning pages; stopped after 100000`);
}
