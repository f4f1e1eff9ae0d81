/**
 * /livez (the process answers), /readyz (the store serves and a write goes through; not while draining)
 * and /metrics, at the root and without authentication, for probes and scrapers.
 */
import Router from '@koa/router';
import type { GatewayDeps } from '../../app.ts';
import { GatewayError, NotFoundError } from '../../errors.ts';

export function healthRoutes(deps: GatewayDeps): Router {
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
  return health;
}
