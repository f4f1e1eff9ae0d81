/**
 * The SCIM endpoints of every app, under /apps/{appId}/scim/v2: the app's lookup, authentication and
 * body, then discovery, the resource routes and the refusals (Bulk, root search).
 *
 * A fixed table rather than a general router: every SCIM path has at most two segments after the
 * prefix, so one regular expression and two map lookups find the route, and the chain in front of the
 * handlers is fixed instead of composed per request (as @koa/router does).
 */
import type { Context, Middleware } from 'koa';
import type { GatewayApp, GatewayDeps } from '../app.ts';
import type { ResourceKind } from '../core/id-map.ts';
import { HttpRequestError, NotFoundError, NotSupportedError, ScimRequestError } from '../errors.ts';
import { listResponse } from '../scim/messages/list-response.ts';
import { resourceTypes } from '../scim/schema/core-schemas.ts';
import { resourceTypeList, resourceTypeResource, schemaList, serviceProviderConfig } from './handlers/discovery.ts';
import * as resources from './handlers/resources.ts';
import type { RequestScope } from './handlers/resources.ts';
import { inboundAuth } from './middleware/inbound-auth.ts';
import { scimBody } from './middleware/scim-body.ts';
import { decodeSegment } from './path-segment.ts';
import { sendScim } from './scim-response.ts';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * The origin Location headers and meta.location name: publicUrl when set; otherwise the request's own
 * Host, but only a loopback name or one of allowedHosts. A Host copied unchecked would let anyone make
 * the gateway hand out links to their own server.
 */
function requestOrigin(publicUrl: string | undefined, allowedHosts: readonly string[]): (ctx: Context) => string {
  if (publicUrl) {
    const fixed = publicUrl.replace(/\/+$/, '');
    return () => fixed;
  }
  const allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  return (ctx) => {
    const host = ctx.host.toLowerCase();
    if (!LOOPBACK.test(host) && !allowed.has(host) && !allowed.has(host.replace(/:\d+$/, ''))) {
      throw new HttpRequestError(
        400,
        `This gateway does not answer for the host "${host.slice(0, 100)}": set server.publicUrl to the address Entra calls (or list the host in server.allowedHosts)`,
      );
    }
    return `${ctx.protocol}://${ctx.host}`;
  };
}

type Handler = (ctx: Context, scope: RequestScope, param: string) => void | Promise<void>;
/** Handlers by method, for one path shape. */
type Methods = Map<string, Handler>;

interface PathTable {
  /** "/Schemas", "/Users": by the first segment, lower-cased. */
  one: Map<string, Methods>;
  /** "/Schemas/{id}", "/Users/.search", "/Users/{id}": exact second segments first, then "*". */
  two: Map<string, Map<string, Methods>>;
}

const PATH = /^\/apps\/([^/]+)\/scim\/v2(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/i;

function entry<V>(table: Map<string, V>, key: string, make: () => V): V {
  let value = table.get(key);
  if (value === undefined) {
    value = make();
    table.set(key, value);
  }
  return value;
}

/** The handlers for a path (the segments as sent), or undefined when no route has this shape. */
function lookup(table: PathTable, first: string, second: string | undefined): Methods | undefined {
  const head = first.toLowerCase();
  if (second === undefined) return table.one.get(head);
  const under = table.two.get(head);
  if (!under) return undefined;
  const exact = under.get(second.toLowerCase());
  const any = under.get('*');
  if (!exact) return any;
  // "/Users/.search" is POST's search and, for every other method, the resource with that id.
  return any ? new Map([...any, ...exact]) : exact;
}

function routeTable(): { table: PathTable; add: (method: string, path: string, handler: Handler) => void } {
  const table: PathTable = { one: new Map(), two: new Map() };
  const add = (method: string, path: string, handler: Handler) => {
    const [first, second] = path.slice(1).split('/') as [string, string | undefined];
    const head = first.toLowerCase();
    const shape =
      second === undefined
        ? entry(table.one, head, () => new Map())
        : entry(
            entry(table.two, head, () => new Map<string, Methods>()),
            second.startsWith(':') ? '*' : second.toLowerCase(),
            () => new Map(),
          );
    shape.set(method, handler);
  };
  return { table, add };
}

function notAllowed(ctx: Context, methods: Methods): never {
  const allowed = [...methods.keys()].join(', ');
  throw new HttpRequestError(405, `${ctx.method} is not allowed here; use ${allowed}`, { Allow: allowed });
}

export function scimRoutes(deps: GatewayDeps): Middleware {
  const originOf = requestOrigin(deps.publicUrl, deps.allowedHosts ?? []);
  const scopeOf = (ctx: Context): RequestScope => {
    const entry = ctx.state.app as GatewayApp;
    const origin = originOf(ctx);
    return {
      provisioning: entry.provisioning,
      resourceTypes: entry.resourceTypes,
      baseUrl: `${origin}/apps/${encodeURIComponent(entry.id)}/scim/v2`,
      context: {
        deadline: ctx.state.deadline as number,
        signal: ctx.state.signal as AbortSignal,
        requestId: String(ctx.state.requestId),
      },
    };
  };
  const { table, add } = routeTable();
  add('GET', '/ServiceProviderConfig', (ctx, scope) => sendScim(ctx, 200, serviceProviderConfig(scope.baseUrl)));
  add('GET', '/ResourceTypes', (ctx, scope) => {
    const list = resourceTypeList(ctx.state.app as GatewayApp, scope.baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  add('GET', '/ResourceTypes/:name', (ctx, scope, name) => {
    const kind = (['User', 'Group'] as const).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const entry = ctx.state.app as GatewayApp;
    if (!kind || !entry.attributes[kind]) throw new NotFoundError(`No resource type "${name}"`);
    sendScim(ctx, 200, resourceTypeResource(entry.resourceTypes[kind], scope.baseUrl));
  });
  add('GET', '/Schemas', (ctx, scope) => {
    const list = schemaList(ctx.state.app as GatewayApp, scope.baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  add('GET', '/Schemas/:id', (ctx, scope, id) => {
    const schema = schemaList(ctx.state.app as GatewayApp, scope.baseUrl).find(
      (candidate) => String(candidate.id).toLowerCase() === id.toLowerCase(),
    );
    if (!schema) throw new NotFoundError(`No schema "${id}"`);
    sendScim(ctx, 200, schema);
  });
  add('POST', '/Bulk', () => {
    throw new NotSupportedError('Bulk operations are not supported; send one request per operation');
  });
  add('POST', '/.search', () => {
    throw new ScimRequestError(
      'invalidSyntax',
      'Search one resource type at a time: POST /Users/.search or /Groups/.search',
    );
  });
  for (const kind of ['User', 'Group'] as const satisfies ResourceKind[]) {
    const path = resourceTypes[kind].endpoint;
    add('GET', path, (ctx, scope) => resources.list(kind)(ctx, scope));
    add('POST', path, (ctx, scope) => resources.create(kind)(ctx, scope));
    add('POST', `${path}/.search`, (ctx, scope) => resources.search(kind)(ctx, scope));
    add('GET', `${path}/:id`, (ctx, scope, id) => resources.get(kind)(ctx, scope, id));
    add('PUT', `${path}/:id`, (ctx, scope, id) => resources.replace(kind)(ctx, scope, id));
    add('PATCH', `${path}/:id`, (ctx, scope, id) => resources.patch(kind)(ctx, scope, id));
    add('DELETE', `${path}/:id`, (ctx, scope, id) => resources.remove(kind)(ctx, scope, id));
  }

  // In front of every handler: the app, its authentication, the body.
  const authenticate = inboundAuth((ctx) => ctx.state.app as GatewayApp);
  const readBody = scimBody(deps.maxBodyBytes !== undefined ? { maxBytes: deps.maxBodyBytes } : {});

  return async (ctx, next) => {
    const match = PATH.exec(ctx.path);
    const methods = match?.[2] === undefined ? undefined : lookup(table, match[2], match[3]);
    if (!match || !methods) {
      await next();
      return;
    }
    // HEAD is GET without the body, which koa drops.
    const handler = methods.get(ctx.method === 'HEAD' ? 'GET' : ctx.method);
    if (!handler) notAllowed(ctx, methods);
    const appId = decodeSegment(match[1]!);
    const app = deps.apps(ctx).get(appId);
    if (!app) throw new NotFoundError(`No app "${appId}" is configured on this gateway`);
    ctx.state.app = app;
    ctx.state.appId = app.id;
    const param = match[3] === undefined ? '' : decodeSegment(match[3]);
    const handle = async () => {
      await handler(ctx, scopeOf(ctx), param);
    };
    await authenticate(ctx, async () => {
      await readBody(ctx, handle);
    });
  };
}
