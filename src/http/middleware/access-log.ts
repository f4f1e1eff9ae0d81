/**
 * One line per request: app, method, route, status, duration, request id. Never a body or an attribute
 * value; the query string (whose filters hold userNames and emails) only with the logPersonalData
 * debug setting.
 */
import type { Middleware } from 'koa';
import type { Logger } from '../../observability/logger.ts';

export interface AccessLogOptions {
  /** Debug only: add the query string to each line. */
  logPersonalData?: boolean;
}

export function accessLog(logger: Logger, options: AccessLogOptions = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('info')) write(logger, ctx, options);
    }
  };
}

/** Built only when the line is written: with a level above info, the access log costs nothing. */
function write(logger: Logger, ctx: Parameters<Middleware>[0], options: AccessLogOptions): void {
  const started = ctx.state.startedAt as number | undefined;
  logger.info(
    {
      requestId: ctx.state.requestId,
      app: ctx.state.appId,
      method: ctx.method,
      route: ctx.state.route ?? ctx.path.replace(/\/(Users|Groups)\/[^/]+/i, '/$1/:id'),
      status: ctx.status,
      durationMs: started === undefined ? undefined : Math.round((performance.now() - started) * 10) / 10,
      ...(ctx.state.errorCode ? { error: ctx.state.errorCode } : {}),
      ...(options.logPersonalData && ctx.querystring ? { query: ctx.querystring } : {}),
    },
    'request',
  );
}
