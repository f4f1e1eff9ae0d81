/**
 * JWTs issued by someone else (Entra's own tokens when the Secret Token is left blank, or any IdP):
 * verified against the issuer's published key set, the configured issuer and audience, and expiry. Only
 * asymmetric algorithms: a key set is public, so an HMAC "key" from it would let anyone sign.
 */
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface ExternalJwtOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export class ExternalJwt {
  readonly #options: ExternalJwtOptions;
  // jose caches the key set and refetches it (rate limited) when a token names an unknown key: rotation works.
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(options: ExternalJwtOptions) {
    this.#options = options;
    this.#keys = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  /** The verified claims, or undefined for any failure (bad signature, expired, wrong issuer or audience, key set unreachable). */
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
    } catch {
      return undefined;
    }
  }
}
