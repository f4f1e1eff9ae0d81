/**
 * The one place where an error becomes a SCIM Error response (RFC 7644 §3.12): status as a string,
 * scimType where one applies, a detail a person can act on ending in the request id, Retry-After on
 * 503s. Unexpected errors are logged with their stack and answered as a plain 500: internals, secrets
 * and app bodies never reach the client.
 */
import type { Middleware } from 'koa';
import { GatewayError } from '../../errors.ts';
import { URN } from '../../scim/schema/urns.ts';
import { sendScim } from '../scim-response.ts';

export interface ErrorLogger {
  error(event: Record<string, unknown>, message: string): void;
}

export function scimErrors(logger: ErrorLogger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const requestId = String(ctx.state.requestId ?? '');
      let status = 500;
      let detail = 'The gateway failed unexpectedly';
      let scimType: string | undefined;
      if (error instanceof GatewayError) {
        status = error.status;
        detail = error.message;
        scimType = error.scimType;
        if (error.retryAfter !== undefined) ctx.set('Retry-After', String(error.retryAfter));
        ctx.state.errorCode = error.code;
        if (status >= 500 && status !== 503) logger.error({ requestId, code: error.code, err: error }, 'request failed');
      } else {
        ctx.state.errorCode = 'SCIMGW_INTERNAL';
        logger.error({ requestId, err: error }, 'unexpected error');
      }
      sendScim(ctx, status, {
        schemas: [URN.error],
        status: String(status),
        ...(scimType ? { scimType } : {}),
        detail: `${detail} (request ${requestId})`,
      });
    }
  };
}
