/**
 * Access tokens the gateway issues at /apps/{appId}/oauth/token: HS256 JWTs, so any replica that holds
 * the same server.tokenSigningKey verifies them without shared state. `aud` is the app id, so a token of
 * one app never opens another; `sub` is the client id, so removing a client from gateway.yaml (and
 * reloading) stops its outstanding tokens too. `typ: at+jwt` and our own issuer keep these apart from
 * any other JWT that might be signed with a key of the same bytes.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const ISSUER = 'urn:scimgw:oauth';
const TYPE = 'at+jwt';
/** Short keys make HS256 guessable offline from any one issued token. */
export const MIN_SIGNING_KEY_LENGTH = 32;

export class TokenSigner {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    if (secret.length < MIN_SIGNING_KEY_LENGTH)
      throw new Error(`The token signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`);
    // A derived key, so the configured secret is never used as-is for anything else that might use it.
    this.#key = createHmac('sha256', secret).update('scimgw/oauth-access-token/v1').digest();
  }

  /** `now` (ms) only moves the token's clock, for tests of expiry. */
  async issue(appId: string, clientId: string, lifetimeSeconds: number, now = Date.now()): Promise<string> {
    const iat = Math.floor(now / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: TYPE })
      .setIssuer(ISSUER)
      .setAudience(appId)
      .setSubject(clientId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(iat + lifetimeSeconds)
      .sign(this.#key);
  }

  /** The client id the token was issued to, or undefined when it is not a valid, current token for this app. */
  async verify(token: string, appId: string): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#key, {
        issuer: ISSUER,
        audience: appId,
        algorithms: ['HS256'],
        typ: TYPE,
        requiredClaims: ['exp', 'sub'],
      });
      return payload.sub;
    } catch {
      return undefined;
    }
  }
}
