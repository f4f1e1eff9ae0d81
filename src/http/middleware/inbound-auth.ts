/**
 * Bearer tokens per app. Several may be valid at once, so a token can be rotated without a gap; each is
 * compared in constant time (both sides hashed first, so lengths do not leak either). A token of one app
 * never opens another: each app has its own list.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { UnauthorizedError } from '../../errors.ts';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export class TokenSet {
  readonly #digests: Buffer[];

  constructor(tokens: readonly string[]) {
    this.#digests = tokens.filter((token) => token.length > 0).map(digest);
  }

  get size(): number {
    return this.#digests.length;
  }

  matches(candidate: string): boolean {
    const probe = digest(candidate);
    let found = false;
    for (const known of this.#digests) found = timingSafeEqual(probe, known) || found;
    return found;
  }
}

export function bearerToken(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/** `tokensOf` returns the current tokens of the request's app (looked up per request, so rotation needs no restart). */
export function inboundAuth(tokensOf: (ctx: Parameters<Middleware>[0]) => TokenSet): Middleware {
  return async (ctx, next) => {
    const token = bearerToken(ctx.get('authorization'));
    if (!token || !tokensOf(ctx).matches(token)) {
      ctx.set('WWW-Authenticate', 'Bearer realm="scim"');
      throw new UnauthorizedError();
    }
    await next();
  };
}
