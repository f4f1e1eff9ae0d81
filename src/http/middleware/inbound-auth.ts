/**
 * Inbound authentication per app. A request is let in by any of:
 * - a static bearer token of the app (several may be valid at once, so a token can be rotated without a
 *   gap; each compared in constant time, both sides hashed first, so lengths do not leak either);
 * - an access token the gateway issued at /apps/{appId}/oauth/token for this app, to a client that is
 *   still configured;
 * - when the app has `jwt`, a JWT of that external issuer for that audience.
 * A token of one app never opens another: each app has its own tokens, its id is the issued tokens'
 * audience, and each app names its own external issuer. Every failure is the same 401, whatever the reason.
 */
import { hash } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../../errors.ts';
import type { AppAuth } from '../oauth/app-auth.ts';

/** As text: a digest as a string costs a third of one as a Buffer, on every request. */
function digest(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** Compares two digests (always 43 characters) without stopping at the first difference. */
function sameDigest(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length && index < b.length; index++)
    difference |= a.charCodeAt(index) ^ b.charCodeAt(index);
  return difference === 0;
}

export class TokenSet {
  readonly #digests: string[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.filter((token) => token.length > 0).map(digest);
  }

  get size(): number {
    return this.#digests.length;
  }

  matches(candidate: string): boolean {
    const probe = digest(candidate);
    let found = false;
    for (const known of this.#digests) found = sameDigest(probe, known) || found;
    return found;
  }
}

export function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** What an app accepts: its static tokens, and optionally issued and external tokens. */
export interface InboundCredentials extends AppAuth {
  id: string;
  tokens: TokenSet;
}

const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]+$/;

/** How the token was accepted ("token", "oauth:<client id>", "jwt:<sub>"), or undefined. */
async function authenticate(token: string, app: InboundCredentials): Promise<string | undefined> {
  if (app.tokens.matches(token)) return 'token';
  if (!JWT_SHAPE.test(token)) return undefined;
  if (app.oauth) {
    const client = await app.oauth.signer.verify(token, app.id);
    if (client !== undefined && app.oauth.clients.has(client)) return `oauth:${client}`;
  }
  if (app.jwt) {
    const claims = await app.jwt.verify(token);
    if (claims) return `jwt:${claims.sub ?? ''}`;
  }
  return undefined;
}

/** `credentialsOf` returns the request's app as currently configured (looked up per request, so rotation needs no restart). */
export function inboundAuth(credentialsOf: (ctx: Parameters<Middleware>[0]) => InboundCredentials): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    const principal = token ? await authenticate(token, credentialsOf(ctx)) : undefined;
    if (!principal) throw new UnauthorizedError('Authentication failed: invalid or expired token');
    ctx.state.principal = principal;
    await next();
  };
}
