/**
 * buildApp(deps): the koa application, with no I/O at import time, so tests build the whole gateway
 * with a real store and real connectors and drive it over loopback.
 *
 * Order: request id → access log → SCIM errors → lifetime (deadline, cancellation) → (per app) auth →
 * body → handler.
 */
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import type { Registry } from 'prom-client';
import type { AdminStatus } from './admin/admin-status.ts';
import type { StatusSource } from './admin/status-data.ts';
import type { CompiledConnector } from './connectors/compiled.ts';
import type { ResourceKind } from './core/id-map.ts';
import type { Provisioning } from './core/provisioning.ts';
import { GatewayError, HttpRequestError, NotFoundError, NotSupportedError, ScimRequestError } from './errors.ts';
import { resourceTypeList, resourceTypeResource, schemaList, serviceProviderConfig } from './http/handlers/discovery.ts';
import * as resources from './http/handlers/resources.ts';
import type { RequestScope } from './http/handlers/resources.ts';
import { accessLog } from './http/middleware/access-log.ts';
import { inboundAuth, type TokenSet } from './http/middleware/inbound-auth.ts';
import type { AppAuth } from './http/oauth/app-auth.ts';
import { tokenEndpoint } from './http/oauth/token-endpoint.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { requestLifetime } from './http/middleware/request-lifetime.ts';
import { systemClock, type Clock } from './outbound/clock.ts';
import { scimBody } from './http/middleware/scim-body.ts';
import { scimErrors } from './http/middleware/scim-errors.ts';
import { sendScim } from './http/scim-response.ts';
import type { Logger } from './observability/logger.ts';
import { listResponse } from './scim/messages/list-response.ts';
import { resourceTypes } from './scim/schema/core-schemas.ts';
import type { AppResourceTypes } from './scim/schema/extensions.ts';

export interface GatewayApp extends AppAuth {
  id: string;
  connector: CompiledConnector;
  /** Core schemas plus the extensions the connector and the app's config declare. */
  resourceTypes: AppResourceTypes;
  /** SCIM attributes the app holds per resource type it provisions: what /Schemas advertises. */
  attributes: Partial<Record<ResourceKind, readonly string[]>>;
  provisioning: Provisioning;
  tokens: TokenSet;
  /** For the status page (admin/): the app's outbound queue and budget. */
  pacer?: StatusSource['pacer'];
  budget?: StatusSource['budget'];
  unmapped?: StatusSource['unmapped'];
}

export interface GatewayDeps {
  /** The apps being served; read per request so a reload can swap them. */
  apps: () => ReadonlyMap<string, GatewayApp>;
  store: { ping(): Promise<void>; warnings?(): Promise<string[]> };
  /** Named in /readyz: "embedded" or "redis". */
  storeKind?: string;
  /** Served on /metrics (Prometheus text format). */
  metrics?: Registry;
  logger: Logger;
  /** Time budget for one SCIM request, well inside Entra's 60 s. */
  requestTimeoutMs?: number;
  maxBodyBytes?: number;
  /** The public base URL (scheme://host[:port]); without it the request's Host, when allowed, names the gateway. */
  publicUrl?: string;
  /** Without publicUrl: Host values accepted besides loopback names (host[:port], any case). */
  allowedHosts?: readonly string[];
  trustProxy?: boolean;
  isDraining?: () => boolean;
  /** Debug only: the access log carries query strings (which hold userNames and emails). */
  logPersonalData?: boolean;
  /** /admin/status; absent when gateway.yaml has no admin tokens. */
  admin?: AdminStatus;
  /** Where request deadlines are read (the outbound client's clock). */
  clock?: Clock;
}

const PREFIX = '/apps/:appId/scim/v2';

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
      throw new HttpRequestError(400, `This gateway does not answer for the host "${host.slice(0, 100)}": set server.publicUrl to the address Entra calls (or list the host in server.allowedHosts)`);
    }
    return `${ctx.protocol}://${ctx.host}`;
  };
}

export function buildApp(deps: GatewayDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy ?? false });
  const timeoutMs = deps.requestTimeoutMs ?? 50_000;
  app.use(requestContext());
  app.use(accessLog(deps.logger, { logPersonalData: deps.logPersonalData ?? false }));
  if (deps.admin) app.use(deps.admin.recorder());
  app.use(scimErrors(deps.logger));
  app.use(requestLifetime(timeoutMs, deps.clock ?? systemClock));

  const health = new Router();
  health.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  let wasReady = true;
  health.get('/readyz', async (ctx) => {
    const checks: Record<string, string> = { config: 'ok' };
    let ready = true;
    try {
      await deps.store.ping();
      const warnings = (await deps.store.warnings?.()) ?? [];
      checks.store = `${deps.storeKind ?? 'store'}: ${warnings.length ? `ok, but ${warnings.join('; ')}` : 'ok'}`;
    } catch (error) {
      const detail = error instanceof GatewayError ? (error.detail ?? error.code) : 'not answering';
      checks.store = `${deps.storeKind ?? 'store'}: failing (${detail})`;
      ready = false;
      // Once per change: probes come every few seconds.
      if (wasReady) deps.logger.error({ err: error }, 'the id store is failing: /readyz reports not ready');
    }
    if (ready && !wasReady) deps.logger.info('the id store works again: /readyz reports ready');
    wasReady = ready;
    if (deps.isDraining?.()) {
      checks.draining = 'yes';
      ready = false;
    }
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  health.get('/metrics', async (ctx) => {
    if (!deps.metrics) throw new NotFoundError('Metrics are not enabled');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.metrics();
  });
  app.use(health.routes());
  app.use(tokenEndpoint(deps.apps));
  if (deps.admin) app.use(deps.admin.routes(() => deps.apps().values()));

  const scim = new Router({ prefix: PREFIX, sensitive: false, strict: false });
  const originOf = requestOrigin(deps.publicUrl, deps.allowedHosts ?? []);
  const scopeOf = (ctx: Context): RequestScope => {
    const entry = ctx.state.app as GatewayApp;
    const origin = originOf(ctx);
    return {
      provisioning: entry.provisioning,
      resourceTypes: entry.resourceTypes,
      baseUrl: `${origin}/apps/${encodeURIComponent(entry.id)}/scim/v2`,
      context: { deadline: ctx.state.deadline as number, signal: ctx.state.signal as AbortSignal, requestId: String(ctx.state.requestId) },
    };
  };
  scim.use(async (ctx, next) => {
    const entry = deps.apps().get(ctx.params.appId ?? '');
    if (!entry) throw new NotFoundError(`No app "${ctx.params.appId}" is configured on this gateway`);
    ctx.state.app = entry;
    ctx.state.appId = entry.id;
    await next();
  });
  scim.use(inboundAuth((ctx) => ctx.state.app as GatewayApp));
  scim.use(scimBody(deps.maxBodyBytes !== undefined ? { maxBytes: deps.maxBodyBytes } : {}));

  scim.get('/ServiceProviderConfig', (ctx) => sendScim(ctx, 200, serviceProviderConfig(scopeOf(ctx).baseUrl)));
  scim.get('/ResourceTypes', (ctx) => {
    const list = resourceTypeList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  scim.get('/ResourceTypes/:name', (ctx) => {
    const kind = (['User', 'Group'] as const).find((name) => name.toLowerCase() === String(ctx.params.name).toLowerCase());
    const entry = ctx.state.app as GatewayApp;
    if (!kind || !entry.attributes[kind]) throw new NotFoundError(`No resource type "${ctx.params.name}"`);
    sendScim(ctx, 200, resourceTypeResource(entry.resourceTypes[kind], scopeOf(ctx).baseUrl));
  });
  scim.get('/Schemas', (ctx) => {
    const list = schemaList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  scim.get('/Schemas/:id', (ctx) => {
    const schema = schemaList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl).find((candidate) => String(candidate.id).toLowerCase() === String(ctx.params.id).toLowerCase());
    if (!schema) throw new NotFoundError(`No schema "${ctx.params.id}"`);
    sendScim(ctx, 200, schema);
  });
  scim.post('/Bulk', () => {
    throw new NotSupportedError('Bulk operations are not supported; send one request per operation');
  });
  scim.post('/.search', () => {
    throw new ScimRequestError('invalidSyntax', 'Search one resource type at a time: POST /Users/.search or /Groups/.search');
  });

  for (const kind of ['User', 'Group'] as const satisfies ResourceKind[]) {
    const path = resourceTypes[kind].endpoint;
    scim.get(path, (ctx) => resources.list(kind)(ctx, scopeOf(ctx)));
    scim.post(path, (ctx) => resources.create(kind)(ctx, scopeOf(ctx)));
    scim.post(`${path}/.search`, (ctx) => resources.search(kind)(ctx, scopeOf(ctx)));
    scim.get(`${path}/:id`, (ctx) => resources.get(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.put(`${path}/:id`, (ctx) => resources.replace(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.patch(`${path}/:id`, (ctx) => resources.patch(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.delete(`${path}/:id`, (ctx) => resources.remove(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
  }
  app.use(scim.routes());

  // Anything the routes did not answer: 405 when the path exists with other methods, else a SCIM 404.
  app.use(async (ctx) => {
    const matched = (ctx.matched ?? []) as { methods: string[] }[];
    const methods = new Set(matched.flatMap((layer) => layer.methods).filter((method) => method !== 'HEAD'));
    if (methods.size) throw new HttpRequestError(405, `${ctx.method} is not allowed here; use ${[...methods].join(', ')}`, { Allow: [...methods].join(', ') });
    throw new NotFoundError(`No endpoint ${ctx.method} ${ctx.path}`);
  });
  return app;
}
