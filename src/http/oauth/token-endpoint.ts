/**
 * POST /apps/{appId}/oauth/token: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) that Entra's
 * "OAuth2 client credentials grant" provisioning setting calls. Microsoft does not document whether Entra
 * sends the client credentials in the form (client_secret_post) or as HTTP Basic (client_secret_basic),
 * so both are accepted; when both are sent they must name the same client. Answers are OAuth JSON
 * (RFC 6749 §5.1/§5.2), not SCIM errors, and are never cached.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AppAuth } from './app-auth.ts';

const MAX_BODY_BYTES = 16 * 1024;

interface OAuthCapable extends AppAuth {
  id: string;
}

function reply(ctx: Context, status: number, body: Record<string, unknown>): void {
  ctx.status = status;
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
  ctx.type = 'application/json';
  ctx.body = body;
}

async function readForm(ctx: Context): Promise<URLSearchParams | undefined> {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they are joined and base64-encoded. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function basicCredentials(header: string): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

async function issue(ctx: Context, app: OAuthCapable): Promise<void> {
  const oauth = app.oauth;
  if (!oauth) {
    reply(ctx, 404, {
      error: 'invalid_request',
      error_description: 'OAuth client credentials are not enabled for this app',
    });
    return;
  }
  const form = await readForm(ctx);
  if (!form) {
    reply(ctx, 400, { error: 'invalid_request', error_description: 'Send an application/x-www-form-urlencoded body' });
    return;
  }
  const grant = form.get('grant_type');
  if (!grant) {
    reply(ctx, 400, { error: 'invalid_request', error_description: 'grant_type is missing' });
    return;
  }
  if (grant !== 'client_credentials') {
    reply(ctx, 400, { error: 'unsupported_grant_type' });
    return;
  }
  const basic = basicCredentials(ctx.get('authorization'));
  const posted =
    form.has('client_id') || form.has('client_secret')
      ? { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' }
      : undefined;
  const given = basic ?? posted;
  const conflicting = basic && posted && (basic.id !== posted.id || basic.secret !== posted.secret);
  const client = given && !conflicting ? oauth.clients.authenticate(given.id, given.secret) : undefined;
  if (client === undefined) {
    if (basic || ctx.get('authorization')) ctx.set('WWW-Authenticate', 'Basic realm="scimgw", charset="UTF-8"');
    reply(ctx, 401, { error: 'invalid_client' });
    return;
  }
  ctx.state.principal = `oauth:${client}`;
  const token = await oauth.signer.issue(app.id, client, oauth.lifetimeSeconds);
  reply(ctx, 200, { access_token: token, token_type: 'Bearer', expires_in: oauth.lifetimeSeconds });
}

/** The token routes; `apps` is read per request so a reload's new clients apply at once. */
export function tokenEndpoint(apps: (ctx: Context) => ReadonlyMap<string, OAuthCapable>): Middleware {
  const router = new Router();
  router.post('/apps/:appId/oauth/token', async (ctx) => {
    const app = apps(ctx).get(ctx.params.appId ?? '');
    if (!app) {
      reply(ctx, 404, { error: 'invalid_request', error_description: 'No such app on this gateway' });
      return;
    }
    await issue(ctx, app);
  });
  return router.routes() as Middleware;
}
