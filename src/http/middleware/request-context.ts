/**
 * Gives every request an id: the caller's X-Request-Id when it is a sane token, a new UUID otherwise.
 * It is returned in the X-Request-Id response header and ends every SCIM error's detail, so an Entra
 * admin can match a provisioning-log line with the gateway's own log.
 */
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestContext(options: { header?: string } = {}): Middleware {
  const header = (options.header ?? 'x-request-id').toLowerCase();
  return async (ctx, next) => {
    const inbound = ctx.get(header);
    const id = SAFE_ID.test(inbound) ? inbound : randomUUID();
    ctx.state.requestId = id;
    ctx.state.startedAt = performance.now();
    ctx.set('X-Request-Id', id);
    await next();
  };
}
