/** One line per request: app, method, route, status, duration, request id. No attribute values. */
import type { Middleware } from 'koa';
import type { Logger } from '../../observability/logger.ts';

export function accessLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } finally {
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
        },
        'request',
      );
    }
  };
}
