/**
 * The one place where an error becomes a SCIM Error response (RFC 7644 §3.12): status as a string,
 * scimType where one applies, a detail a person can act on ending in the request id, Retry-After on
 * 503s. A 5xx says only what its error declares safe; the full message (file paths, expressions, causes)
 * goes to the log with the request id. Unexpected errors are a plain 500.
 *
 * The answer starts clean: headers a handler set before failing (an ETag, a Location) are dropped, and
 * when the request's body was not read to its end the connection is closed after the answer, so a client
 * still trickling a refused body cannot hold the socket.
 */
import type { Context, Middleware } from 'koa';
import { GatewayError, RequestAbandonedError, UnavailableError } from '../../errors.ts';
import { URN } from '../../scim/schema/urns.ts';
import { sendScim } from '../scim-response.ts';

export interface ErrorLogger {
  error(event: Record<string, unknown>, message: string): void;
}

/** Headers that belong to the request rather than to what failed. */
const KEPT = ['x-request-id'];

function resetHeaders(ctx: Context): void {
  const kept = KEPT.flatMap((name): [string, string][] => {
    const value: unknown = ctx.response.get(name);
    return typeof value === 'string' && value !== '' ? [[name, value]] : [];
  });
  for (const name of Object.keys(ctx.response.headers)) ctx.remove(name);
  for (const [name, value] of kept) ctx.set(name, value);
}

export function scimErrors(logger: ErrorLogger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const requestId = String(ctx.state.requestId ?? '');
      // Nobody is listening: record it for the access log and stop.
      if (
        error instanceof RequestAbandonedError ||
        (!ctx.writable && (ctx.state.signal as AbortSignal | undefined)?.aborted)
      ) {
        ctx.state.errorCode = 'SCIMGW_CLIENT_GONE';
        if (!ctx.headerSent) ctx.status = 499;
        return;
      }
      // Once the status line is out nothing can be corrected: end the connection rather than append to it.
      if (ctx.headerSent || !ctx.writable) {
        logger.error({ requestId, err: error }, 'request failed after its answer had started');
        ctx.res.destroy();
        return;
      }
      resetHeaders(ctx);
      let status = 500;
      let detail = 'The gateway failed unexpectedly';
      let scimType: string | undefined;
      if (error instanceof GatewayError) {
        status = error.status;
        detail = error.detail ?? `The gateway could not complete the request (${error.code}); its log has the details`;
        scimType = error.scimType;
        for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
        if (error.retryAfter !== undefined) ctx.set('Retry-After', String(error.retryAfter));
        ctx.state.errorCode = error.code;
        // A 503 of an app that is busy or down is routine (Entra retries); any other 5xx, the store's
        // included, is something for an operator.
        if (status >= 500 && !(error instanceof UnavailableError))
          logger.error({ requestId, code: error.code, err: error }, 'request failed');
      } else {
        ctx.state.errorCode = 'SCIMGW_INTERNAL';
        logger.error({ requestId, err: error }, 'unexpected error');
      }
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      sendScim(ctx, status, {
        schemas: [URN.error],
        status: String(status),
        ...(scimType ? { scimType } : {}),
        detail: `${detail} (request ${requestId})`,
      });
    }
  };
}
