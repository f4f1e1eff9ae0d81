/** The SCIM media type on every answer, and JSON bodies written once. */
import type { Context } from 'koa';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

export function sendScim(ctx: Context, status: number, body?: unknown): void {
  ctx.status = status;
  if (body === undefined) {
    ctx.body = null;
    return;
  }
  ctx.type = SCIM_CONTENT_TYPE;
  ctx.body = JSON.stringify(body);
}
