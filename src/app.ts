/**
 * buildApp(deps): the koa application, with no I/O at import time, so tests build the whole gateway
 * with a real store and real connectors and drive it over loopback.
 *
 * Order: request id → access log → SCIM errors → lifetime (deadline, cancellation) → (per app) auth →
 * body → handler.
 */
import Koa, { type Context } from 'koa';
import type { Registry } from 'prom-client';
import type { AdminStatus } from './admin/admin-status.ts';
import type { StatusSource } from './admin/status-data.ts';
import type { AppSnapshotKeeper } from './app-snapshots.ts';
import type { CompiledConnector } from './connectors/compiled.ts';
import type { ResourceKind } from './core/id-map.ts';
import type { Provisioning } from './core/provisioning.ts';
import { HttpRequestError, NotFoundError } from './errors.ts';
import { healthRoutes } from './http/handlers/health.ts';
import { accessLog } from './http/middleware/access-log.ts';
import type { TokenSet } from './http/middleware/inbound-auth.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { requestLifetime } from './http/middleware/request-lifetime.ts';
import { scimErrors } from './http/middleware/scim-errors.ts';
import type { AppAuth } from './http/oauth/app-auth.ts';
import { tokenEndpoint } from './http/oauth/token-endpoint.ts';
import { scimRoutes } from './http/scim-routes.ts';
import type { Logger } from './observability/logger.ts';
import { systemClock, type Clock } from './outbound/clock.ts';
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
  /** The app's snapshot keeping, when `apps[].snapshot` is set. */
  snapshots?: AppSnapshotKeeper;
}

export interface GatewayDeps {
  /**
   * The apps being served, as the generation the request `ctx` arrived on has them: read per request, so
   * a reload can swap them.
   */
  apps: (ctx: Context) => ReadonlyMap<string, GatewayApp>;
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

export function buildApp(deps: GatewayDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy ?? false });
  const timeoutMs = deps.requestTimeoutMs ?? 50_000;
  app.use(requestContext());
  app.use(accessLog(deps.logger, { logPersonalData: deps.logPersonalData ?? false }));
  if (deps.admin) app.use(deps.admin.recorder());
  app.use(scimErrors(deps.logger));
  app.use(requestLifetime(timeoutMs, deps.clock ?? systemClock));

  // SCIM first: it is nearly all the traffic, and it answers only its own paths.
  app.use(scimRoutes(deps));
  app.use(healthRoutes(deps).routes());
  app.use(tokenEndpoint(deps.apps));
  if (deps.admin) app.use(deps.admin.routes((ctx) => deps.apps(ctx).values()));

  // Anything the routes did not answer: 405 when the path exists with other methods, else a SCIM 404.
  app.use(async (ctx) => {
    const matched = (ctx.matched ?? []) as { methods: string[] }[];
    const methods = new Set(matched.flatMap((layer) => layer.methods).filter((method) => method !== 'HEAD'));
    if (methods.size)
      throw new HttpRequestError(405, `${ctx.method} is not allowed here; use ${[...methods].join(', ')}`, {
        Allow: [...methods].join(', '),
      });
    throw new NotFoundError(`No endpoint ${ctx.method} ${ctx.path}`);
  });
  return app;
}
