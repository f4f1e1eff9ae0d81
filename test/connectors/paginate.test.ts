import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Caller } from '../../src/connectors/caller.ts';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { parseLinkHeader, walkPages, type Page, type WalkOptions } from '../../src/connectors/paginate.ts';
import { ConnectorRuntime } from '../../src/connectors/runtime.ts';
import { AuthInjector } from '../../src/outbound/auth.ts';
import { AppClient } from '../../src/outbound/app-client.ts';
import { outboundPolicy } from '../../src/connectors/outbound-policy.ts';
import { UndiciTransport } from '../../src/outbound/transport.ts';
import { cleanupTemp, writeConnector } from './helpers.ts';

describe('parseLinkHeader', () => {
  it('reads several links with quoted and unquoted rels', () => {
    const header =
      '<https://api.test/u?page=3>; rel="next", <https://api.test/u?page=1>; rel=first, <https://api.test/u?page=9>; rel="last"; title="end"';
    expect(parseLinkHeader(header)).toEqual({
      next: 'https://api.test/u?page=3',
      first: 'https://api.test/u?page=1',
      last: 'https://api.test/u?page=9',
    });
  });

  it('reads several rels in one rel="next last", case-insensitively', () => {
    expect(parseLinkHeader('</u?after=x>; rel="NEXT last"')).toEqual({ next: '/u?after=x', last: '/u?after=x' });
  });

  it('keeps commas inside URLs and tolerates spacing', () => {
    expect(parseLinkHeader('<https://a.test/u?ids=1,2,3>;rel=next ,  <https://a.test/u?ids=0> ; rel = "prev"')).toEqual(
      {
        next: 'https://a.test/u?ids=1,2,3',
        prev: 'https://a.test/u?ids=0',
      },
    );
  });

  it('ignores links without rel and empty headers', () => {
    expect(parseLinkHeader('<https://a.test/x>; title="t"')).toEqual({});
    expect(parseLinkHeader('')).toEqual({});
    expect(parseLinkHeader(undefined)).toEqual({});
  });
});

const ITEMS = Array.from({ length: 25 }, (_, index) => ({ id: index + 1, name: `user${index + 1}` }));
const requests: { path: string; query: Record<string, string> }[] = [];
let server: Server;
let baseUrl: string;
const transport = new UndiciTransport();

function reply(path: string, q: URLSearchParams): { status?: number; headers?: Record<string, string>; body: unknown } {
  // Connectors may rename the paging parameters; the server knows both spellings used below.
  const int = (name: string, fallback: number) => {
    const value = q.get(name) ?? q.get({ offset: 'skip', limit: 'top', page: 'p', per_page: 'n' }[name] ?? '');
    return value === null ? fallback : Number(value);
  };
  switch (path) {
    case '/api/offset':
    case '/api/offset-nototal': {
      const offset = int('offset', 0) - int('base', 0);
      const items = ITEMS.slice(offset, offset + int('limit', 10));
      return { body: path === '/api/offset' ? { items, total: ITEMS.length } : { items } };
    }
    case '/api/page': {
      const size = int('per_page', 10);
      const start = (int('page', 1) - int('first', 1)) * size;
      return { body: { items: ITEMS.slice(start, start + size), total: ITEMS.length } };
    }
    case '/api/cursor': {
      const start = q.has('cursor') ? Number((q.get('cursor') ?? '').slice(2)) : 0;
      const items = ITEMS.slice(start, start + int('size', 10));
      const end = start + items.length;
      return {
        body: { data: items, meta: { next: end < ITEMS.length ? `c-${end}` : null, more: end < ITEMS.length } },
      };
    }
    case '/api/link': {
      const after = int('after', 0);
      const size = int('size', 10);
      const end = after + size;
      const headers: Record<string, string> = {};
      // Relative to the request URL, as RFC 8288 allows; one link carries two rels near the end.
      if (end < ITEMS.length)
        headers.link = `<link?after=${end}&size=${size}>; rel="${end + size >= ITEMS.length ? 'next last' : 'next'}", </api/link?after=0>; rel=first`;
      return { headers, body: ITEMS.slice(after, end) };
    }
    case '/api/nexturl': {
      const after = int('after', 0);
      const end = after + 10;
      return {
        body: { results: ITEMS.slice(after, end), next: end < ITEMS.length ? `/api/nexturl?after=${end}` : '' },
      };
    }
    case '/api/capped': {
      // An app that never returns more than 4 items a page, whatever was asked for.
      const offset = int('offset', 0);
      return { body: { items: ITEMS.slice(offset, offset + Math.min(4, int('limit', 10))), total: ITEMS.length } };
    }
    case '/api/self':
      // A next link to the page itself, as a broken app sends.
      return { headers: { link: '</api/self?size=10>; rel="next"' }, body: ITEMS.slice(0, 10) };
    case '/api/loop':
      // Two pages pointing at each other.
      return {
        headers: { link: `</api/loop?at=${q.get('at') === 'b' ? 'a' : 'b'}>; rel="next"` },
        body: ITEMS.slice(q.get('at') === 'b' ? 10 : 0, q.get('at') === 'b' ? 20 : 10),
      };
    case '/api/badnext':
      return { body: { results: ITEMS.slice(0, 10), next: 'http://[::1' } };
    case '/api/samecursor':
      return { body: { data: ITEMS.slice(0, 10), meta: { next: 'c-always' } } };
    case '/api/elsewhere':
      return {
        headers: { link: '<http://elsewhere.invalid/api/elsewhere?after=10>; rel="next"' },
        body: ITEMS.slice(0, 10),
      };
    case '/api/filtered/by-name':
      return { body: { items: ITEMS.filter((item) => item.name === q.get('name')) } };
    default:
      return { status: 404, body: { error: 'no route' } };
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    const answer = reply(url.pathname, url.searchParams);
    res
      .writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers })
      .end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  cleanupTemp();
  await transport.close();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests.length = 0;
});

let counter = 0;
/** A connector whose User list uses `list` (YAML flow text for request, pagination, items, filters). */
function connector(list: { request: string; pagination: string; items: string; filters?: string }): CompiledConnector {
  const id = `paging-${++counter}`;
  const yaml = `apiVersion: scimgw/v1
kind: Connector
metadata: { id: ${id}, name: Paging test, version: 1.0.0 }
http:
  baseUrl: "{{ $config.baseUrl }}/api"
retry: { maxAttempts: 2, initialDelay: 10ms, maxDelay: 20ms }
mappings:
  User:
    toApp: '{ "name": userName }'
    toScim: '{ "userName": name }'
resources:
  User:
    attributes: [userName]
    operations:
      get:
        request: { method: GET, url: "/users/{{ $id }}" }
      list:
        request: ${list.request}
        pagination: ${list.pagination}
        items: ${list.items}
        filters: ${list.filters ?? '[]'}
`;
  return loadConnector(writeConnector(id, yaml));
}

/** Walks the connector's User list with a real Caller and collects the pages. */
async function walk(compiled: CompiledConnector, options: WalkOptions = {}): Promise<Page[]> {
  const secretBindings = { config: { baseUrl }, secrets: {} };
  const client = new AppClient(outboundPolicy(compiled), {
    transport,
    credentials: new AuthInjector({ type: 'none' }, transport, { timeoutMs: 2000 }),
  });
  const caller = new Caller({ connector: compiled, client, baseUrl: `${baseUrl}/api`, headers: [] });
  const list = compiled.resources.User!.list;
  const spec = {
    request: list.steps[0]!.request,
    pagination: list.pagination,
    items: list.items,
    outcomes: list.steps[0]!.outcomes,
    operation: 'User.list',
  };
  const pages: Page[] = [];
  for await (const page of walkPages(
    caller,
    spec,
    { config: { baseUrl } },
    secretBindings,
    { deadline: Date.now() + 5000 },
    options,
  ))
    pages.push(page);
  return pages;
}

const ids = (pages: Page[]) => pages.flatMap((page) => page.items.map((item) => (item as { id: number }).id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('walkPages: offset', () => {
  const withTotal = () =>
    connector({
      request: '{ method: GET, url: /offset }',
      pagination: '{ type: offset, pageSize: 10, total: total }',
      items: 'items',
    });

  it('reads every page and stops at the total without asking for an empty page', async () => {
    const pages = await walk(withTotal());
    expect(ids(pages)).toEqual(range(1, 25));
    expect(pages.map((page) => [page.offset, page.total])).toEqual([
      [0, 25],
      [10, 25],
      [20, 25],
    ]);
    expect(requests.map((r) => r.query)).toEqual([
      { offset: '0', limit: '10' },
      { offset: '10', limit: '10' },
      { offset: '20', limit: '10' },
    ]);
  });

  it('starts in the middle at the requested offset', async () => {
    const pages = await walk(withTotal(), { startOffset: 12 });
    expect(ids(pages)).toEqual(range(13, 25));
    expect(pages.map((page) => page.offset)).toEqual([12, 22]);
    expect(requests.map((r) => r.query.offset)).toEqual(['12', '22']);
  });

  it('without a total, stops on a short page', async () => {
    const short = connector({
      request: '{ method: GET, url: /offset-nototal }',
      pagination: '{ type: offset, offsetParam: skip, limitParam: top, pageSize: 10 }',
      items: 'items',
    });
    const pages = await walk(short);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(requests.map((r) => r.query)).toEqual([
      { skip: '0', top: '10' },
      { skip: '10', top: '10' },
      { skip: '20', top: '10' },
    ]);
  });

  it('without a total, stops on an empty page', async () => {
    const fiveByFive = connector({
      request: '{ method: GET, url: /offset-nototal }',
      pagination: '{ type: offset, pageSize: 5 }',
      items: 'items',
    });
    const pages = await walk(fiveByFive);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(pages.at(-1)?.items).toEqual([]);
    expect(requests).toHaveLength(6);
    expect(pages.every((page) => page.total === undefined)).toBe(true);
  });

  it("adds the API's own first offset (1-based offsets)", async () => {
    const oneBased = connector({
      request: '{ method: GET, url: /offset, query: { base: "1" } }',
      pagination: '{ type: offset, pageSize: 10, startOffset: 1, total: total }',
      items: 'items',
    });
    const pages = await walk(oneBased, { startOffset: 5 });
    expect(ids(pages)).toEqual(range(6, 25));
    expect(requests.map((r) => r.query.offset)).toEqual(['6', '16']);
  });
});

describe('walkPages: safety', () => {
  it('keeps reading short pages while the total says more items remain', async () => {
    const capped = connector({
      request: '{ method: GET, url: /capped }',
      pagination: '{ type: offset, pageSize: 10, total: total }',
      items: 'items',
    });
    expect(ids(await walk(capped))).toEqual(range(1, 25));
  });

  it("refuses to follow a next link to another host with the app's credentials", async () => {
    const evil = connector({
      request: '{ method: GET, url: /elsewhere }',
      pagination: '{ type: link, pageSize: 10 }',
      items: '$',
    });
    await expect(walk(evil)).rejects.toMatchObject({ code: 'SCIMGW_UPSTREAM_PAGING', status: 502 });
    expect(requests.map((r) => r.path)).toEqual(['/api/elsewhere']);
  });
});

describe('walkPages: broken next pages (D6)', () => {
  it('stops at a next link to the page itself instead of reading it until the deadline', async () => {
    const self = connector({
      request: '{ method: GET, url: /self }',
      pagination: '{ type: link, sizeParam: size, pageSize: 10 }',
      items: '$',
    });
    const pages = await walk(self);
    expect(ids(pages)).toEqual(range(1, 10));
    expect(pages.map((page) => page.more)).toEqual([false]);
    expect(requests).toHaveLength(1);
  });

  it('stops when two pages link to each other', async () => {
    const loop = connector({
      request: '{ method: GET, url: /loop, query: { at: a } }',
      pagination: '{ type: link, pageSize: 10 }',
      items: '$',
    });
    expect(ids(await walk(loop))).toEqual(range(1, 20));
    expect(requests.map((r) => r.query.at)).toEqual(['a', 'b']);
  });

  it('stops when the app hands out the same cursor again', async () => {
    const same = connector({
      request: '{ method: GET, url: /samecursor }',
      pagination: '{ type: cursor, cursorParam: cursor, cursor: meta.next, pageSize: 10 }',
      items: 'data',
    });
    await walk(same);
    expect(requests.map((r) => r.query.cursor ?? null)).toEqual([null, 'c-always']);
  });

  it('answers an unparsable next link with a 502 paging error, not a 500', async () => {
    const bad = connector({
      request: '{ method: GET, url: /badnext }',
      pagination: '{ type: nextUrl, next: next }',
      items: 'results',
    });
    await expect(walk(bad)).rejects.toMatchObject({ code: 'SCIMGW_UPSTREAM_PAGING', status: 502 });
    expect(requests).toHaveLength(1);
  });
});

describe('walkPages: page', () => {
  it.each([0, 1])('firstPage %i reads every page', async (first) => {
    const compiled = connector({
      request: `{ method: GET, url: /page, query: { first: "${first}" } }`,
      pagination: `{ type: page, pageSize: 10, firstPage: ${first}, total: total }`,
      items: 'items',
    });
    const pages = await walk(compiled);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(requests.map((r) => r.query.page)).toEqual([0, 1, 2].map((n) => String(n + first)));
    expect(requests.every((r) => r.query.per_page === '10')).toBe(true);
  });

  it('starting mid-list reads only the pages needed, reporting where each page starts', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /page }',
      pagination: '{ type: page, pageParam: p, sizeParam: n, pageSize: 10, total: total }',
      items: 'items',
    });
    const pages = await walk(compiled, { startOffset: 23 });
    expect(requests.map((r) => r.query)).toEqual([{ p: '3', n: '10' }]);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.offset).toBe(20);
    expect(ids(pages)).toEqual(range(21, 25));
  });
});

describe('walkPages: cursor', () => {
  it('follows the cursor from the body until it is null', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /cursor }',
      pagination: '{ type: cursor, cursorParam: cursor, cursor: meta.next, sizeParam: size, pageSize: 10 }',
      items: 'data',
    });
    const pages = await walk(compiled);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(requests.map((r) => r.query)).toEqual([
      { size: '10' },
      { size: '10', cursor: 'c-10' },
      { size: '10', cursor: 'c-20' },
    ]);
    expect(pages.map((page) => page.offset)).toEqual([0, 10, 20]);
  });

  it('ends when the stop predicate is true', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /cursor }',
      pagination:
        '{ type: cursor, cursorParam: cursor, cursor: meta.next, sizeParam: size, pageSize: 10, stop: "$count(data) > 0 and data[-1].id >= 20" }',
      items: 'data',
    });
    const pages = await walk(compiled);
    expect(ids(pages)).toEqual(range(1, 20));
    expect(requests).toHaveLength(2);
  });
});

describe('walkPages: link and nextUrl', () => {
  it('follows RFC 8288 next links, relative ones included', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /link }',
      pagination: '{ type: link, sizeParam: size, pageSize: 10 }',
      items: '$',
    });
    const pages = await walk(compiled);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(requests.map((r) => `${r.path}?${new URLSearchParams(r.query).toString()}`)).toEqual([
      '/api/link?size=10',
      '/api/link?after=10&size=10',
      '/api/link?after=20&size=10',
    ]);
  });

  it('follows another relation when told to, and stops where it leads back to a page already read', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /link }',
      pagination: '{ type: link, rel: first, sizeParam: size, pageSize: 10 }',
      items: '$',
    });
    // "first" always points back to the start: the second page's link is the page just read.
    const pages = await walk(compiled);
    expect(requests.map((r) => r.query.after ?? null)).toEqual([null, '0']);
    expect(pages.map((page) => page.more)).toEqual([true, false]);
  });

  it('follows a next URL from the body, and stops when it is empty', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /nexturl }',
      pagination: '{ type: nextUrl, next: next }',
      items: 'results',
    });
    const pages = await walk(compiled);
    expect(ids(pages)).toEqual(range(1, 25));
    expect(requests.map((r) => r.query.after ?? null)).toEqual([null, '10', '20']);
  });
});

describe('walkPages through ConnectorRuntime.list', () => {
  it('renders a pushdown filter url relative to baseUrl, with its query', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /offset }',
      pagination: '{ type: none }',
      items: 'items',
      filters:
        '[{ attribute: userName, op: eq, url: "/filtered/by-name", query: { name: "{{ $filter.value }}" }, exact: true }]',
    });
    const runtime = await ConnectorRuntime.create(compiled, { config: { baseUrl }, secrets: {} }, { transport });
    const pages = [];
    for await (const page of runtime.list(
      'User',
      { deadline: Date.now() + 5000 },
      { filter: { attribute: 'userName', op: 'eq', value: 'user7' } },
    ))
      pages.push(page);
    runtime.close();
    expect(requests).toEqual([{ path: '/api/filtered/by-name', query: { name: 'user7' } }]);
    expect(pages.flatMap((page) => page.objects.map((object) => [object.appId, object.scim.userName]))).toEqual([
      ['7', 'user7'],
    ]);
  });

  it('maps every item of every page to an AppObject', async () => {
    const compiled = connector({
      request: '{ method: GET, url: /page }',
      pagination: '{ type: page, pageSize: 10, total: total }',
      items: 'items',
    });
    const runtime = await ConnectorRuntime.create(compiled, { config: { baseUrl }, secrets: {} }, { transport });
    const objects = [];
    for await (const page of runtime.list('User', { deadline: Date.now() + 5000 }, { startOffset: 10 }))
      objects.push(...page.objects);
    runtime.close();
    expect(objects.map((object) => object.appId)).toEqual(range(11, 25).map(String));
    expect(objects[0]?.scim).toEqual({ userName: 'user11' });
  });
});
