/**
 * JWTs issued by someone else (Entra's own tokens when the Secret Token is left blank, or any IdP):
 * verified against the issuer's published key set, the configured issuer and audience, and expiry. Only
 * asymmetric algorithms: a key set is public, so an HMAC "key" from it would let anyone sign.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnavailableError } from '../../errors.ts';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** What the key set may say about a token that is the token's fault (no key of its kid, an unusable key). */
const TOKEN_FAULTS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWK_INVALID',
]);

/** The key set could not be fetched or read: the issuer's problem, not the token's. */
class KeySetUnavailable extends Error {}

/** Seconds Entra is asked to wait when the key set is out of reach (jose retries the fetch on the next token). */
const RETRY_AFTER_SECONDS = 30;

export interface ExternalJwtOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export class ExternalJwt {
  readonly #options: ExternalJwtOptions;
  // jose caches the key set and refetches it (rate limited) when a token names an unknown key: rotation works.
  readonly #keys: JWTVerifyGetKey;

  constructor(options: ExternalJwtOptions) {
    this.#options = options;
    const remote = createRemoteJWKSet(new URL(options.jwksUrl));
    this.#keys = async (header, token) => {
      try {
        return await remote(header, token);
      } catch (error) {
        if (error instanceof errors.JOSEError && TOKEN_FAULTS.has(error.code)) throw error;
        throw new KeySetUnavailable('key set unavailable', { cause: error });
      }
    };
  }

  /**
   * The verified claims, or undefined when the token is bad (signature, expiry, issuer, audience). A key set
   * that cannot be fetched is a 503 with Retry-After, not a 401: Entra retries a 503, while repeated 401s
   * would put the provisioning job into quarantine for an outage at the identity provider.
   */
  async verify(token: string): Promise<JWTPayload | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.#keys, {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: 30,
      });
      return payload;
    } catch (error) {
      if (error instanceof KeySetUnavailable)
        throw new UnavailableError(
          "The token issuer's key set could not be fetched; retry later",
          RETRY_AFTER_SECONDS,
          { cause: error.cause },
        );
      return undefined;
    }
  }
}
