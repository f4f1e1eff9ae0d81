/**
 * GET /admin/status (HTML) and /admin/status.json on the gateway's own port, for an operator holding an
 * admin token (gateway.yaml `admin.tokens`, sent as `Authorization: Bearer …`). The token goes in a
 * header only, never a query: URLs end up in access logs and browser history. Without admin tokens the
 * gateway is built without this, and the paths answer 404 like any unknown path.
 */
import type { Context, Middleware } from 'koa';
import type { Gauge } from 'prom-client';
import { NotFoundError, ScimRequestError, UnauthorizedError } from '../errors.ts';
import { bearerToken, TokenSet } from '../http/middleware/inbound-auth.ts';
import { RequestLog } from './request-log.ts';
import { gatherStatus, type StatusSource } from './status-data.ts';
import { renderStatusPage } from './status-page.ts';

export interface AdminStatusOptions {
  tokens: readonly string[];
  /** scimgw_circuit_state: the breakers report into it, so the page shows what Prometheus sees. */
  circuitState: Gauge<'app'>;
  log?: RequestLog;
}

export class AdminStatus {
  readonly log: RequestLog;
  readonly #tokens: TokenSet;
  readonly #circuitState: Gauge<'app'>;

  constructor(options: AdminStatusOptions) {
    this.#tokens = new TokenSet(options.tokens);
    this.#circuitState = options.circuitState;
    this.log = options.log ?? new RequestLog();
  }

  /** Counts app requests; mount it outside the SCIM error middleware (see RequestLog.middleware). */
  recorder(): Middleware {
    return this.log.middleware();
  }

  /** Serves the admin paths; `apps` is read per request, so a reload's new apps show at once. */
  routes(apps: (ctx: Context) => Iterable<StatusSource>): Middleware {
    return async (ctx, next) => {
      const refresh = SNAPSHOT_PATH.exec(ctx.path);
      if (refresh && ctx.method === 'POST') {
        this.#authorize(ctx.get('authorization'));
        ctx.status = 202;
        ctx.body = startRefresh([...apps(ctx)], decodeURIComponent(refresh[1]!), ctx.query.resource);
        return;
      }
      const html = ctx.path === '/admin/status';
      if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || (!html && ctx.path !== '/admin/status.json')) {
        await next();
        return;
      }
      this.#authorize(ctx.get('authorization'));
      const status = await gatherStatus(apps(ctx), this.log, this.#circuitState);
      ctx.set('Cache-Control', 'no-store');
      if (html) {
        // Defence in depth on top of escaping: the page needs no script and loads nothing.
        ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = renderStatusPage(status);
      } else {
        ctx.body = status;
      }
    };
  }

  #authorize(header: string): void {
    const token = bearerToken(header);
    if (!token || !this.#tokens.matches(token))
      throw new UnauthorizedError('Authentication failed: send a valid admin bearer token', 'admin');
  }
}

const SNAPSHOT_PATH = /^\/admin\/apps\/([^/]+)\/snapshot$/;

/**
 * Starts refreshing an app's snapshot and answers at once: a listing can outlast any proxy's timeout, so
 * its progress and outcome show on /admin/status(.json) and in the log.
 */
function startRefresh(apps: StatusSource[], id: string, resource: unknown): { app: string; refreshing: string[] } {
  const app = apps.find((candidate) => candidate.id === id);
  if (!app) throw new NotFoundError(`No app ${JSON.stringify(id)}`);
  if (!app.snapshots)
    throw new ScimRequestError('invalidValue', `The app ${id} has no snapshot: set apps[].snapshot in gateway.yaml`);
  const kinds = app.snapshots.kinds.filter((kind) => resource === undefined || kind === resource);
  if (!kinds.length)
    throw new ScimRequestError('invalidValue', `resource must be one of ${app.snapshots.kinds.join(', ')}`);
  // The keeper reports a failure itself (log, metric, status page); nothing is waiting for this promise.
  for (const kind of kinds) app.snapshots.refreshNow(kind).catch(() => undefined);
  return { app: id, refreshing: kinds };
}
