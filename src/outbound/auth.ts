/**
 * Puts an app's credentials on each outbound call: API key (header or query), bearer, basic, or an
 * OAuth2 client-credentials token fetched once, cached until shortly before it expires, refreshed by one
 * caller at a time, and dropped when the app says it is no longer valid. The credentials come resolved
 * (connectors/resolve-auth.ts renders the connector's templates from the app's settings and secrets).
 */
import { UnavailableError, UpstreamError } from '../errors.ts';
import { systemClock, type Clock } from './clock.ts';
import { waitFromHeaders } from './retry-after.ts';
import { NetworkError, type OutboundRequest, type OutboundResponse, type Transport } from './transport.ts';

const REFRESH_SKEW_MS = 60_000;

/** An app's credentials with every value known. */
export type ResolvedAuth =
  | { type: 'none' }
  | { type: 'apiKey'; in: 'header' | 'query'; name: string; value: string }
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'oauth2ClientCredentials';
      tokenUrl: string;
      clientId: string;
      clientSecret: string;
      clientAuth: 'body' | 'basic';
      scopes: string[];
      params: [string, string][];
    };

export interface CachedToken {
  value: string;
  expiresAt: number;
}

/**
 * Where replicas share an app's OAuth token, so one of them fetches it and the others reuse it (the
 * Redis store implements it). Without one, each replica keeps its own.
 */
export interface SharedTokenStore {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, token: CachedToken): Promise<void>;
  /** Drops the shared token only if it is still `value` (another replica may have refreshed it already). */
  drop(key: string, value: string): Promise<void>;
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export interface AuthOptions {
  /** For the token endpoint's call. */
  timeoutMs: number;
  clock?: Clock;
  shared?: { store: SharedTokenStore; key: string };
}

export class AuthInjector {
  readonly #auth: ResolvedAuth;
  readonly #transport: Transport;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #shared: { store: SharedTokenStore; key: string } | undefined;
  #token: CachedToken | undefined;
  /** A token the app refused: never taken from the shared store again. */
  #refused: string | undefined;
  #pending: Promise<string> | undefined;

  constructor(auth: ResolvedAuth, transport: Transport, options: AuthOptions) {
    this.#auth = auth;
    this.#transport = transport;
    this.#timeoutMs = options.timeoutMs;
    this.#clock = options.clock ?? systemClock;
    this.#shared = options.shared;
  }

  /** True when a refused call is worth one more try with fresh credentials. */
  get refreshable(): boolean {
    return this.#auth.type === 'oauth2ClientCredentials';
  }

  invalidate(): void {
    const refused = this.#token?.value;
    this.#token = undefined;
    if (refused === undefined) return;
    this.#refused = refused;
    this.#shared?.store.drop(this.#shared.key, refused).catch(() => undefined);
  }

  async apply(request: OutboundRequest): Promise<void> {
    const auth = this.#auth;
    switch (auth.type) {
      case 'none':
        return;
      case 'apiKey': {
        if (auth.in === 'header') request.headers[auth.name] = auth.value;
        else {
          const url = new URL(request.url);
          url.searchParams.set(auth.name, auth.value);
          request.url = url.toString();
        }
        return;
      }
      case 'bearer':
        request.headers.authorization = `Bearer ${auth.token}`;
        return;
      case 'basic':
        request.headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
        return;
      case 'oauth2ClientCredentials':
        request.headers.authorization = `Bearer ${await this.#accessToken()}`;
        return;
    }
  }

  async #accessToken(): Promise<string> {
    if (this.#token && this.#token.expiresAt > this.#clock.now()) return this.#token.value;
    this.#pending ??= this.#obtain().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** A token from the replicas' shared store, or a new one fetched by whichever replica holds the lock. */
  async #obtain(): Promise<string> {
    const shared = this.#shared;
    if (!shared) return this.#fetchToken();
    const usable = (token: CachedToken | undefined) =>
      token !== undefined && token.expiresAt > this.#clock.now() && token.value !== this.#refused;
    const cached = await shared.store.get(shared.key);
    if (usable(cached)) return (this.#token = cached!).value;
    return shared.store.withLock(shared.key, async () => {
      const again = await shared.store.get(shared.key);
      if (usable(again)) return (this.#token = again!).value;
      const value = await this.#fetchToken();
      await shared.store.set(shared.key, this.#token!);
      return value;
    });
  }

  async #fetchToken(): Promise<string> {
    const auth = this.#auth;
    if (auth.type !== 'oauth2ClientCredentials') throw new Error('not an OAuth2 connector');
    const { clientId, clientSecret } = auth;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scopes.length) form.set('scope', auth.scopes.join(' '));
    for (const [name, value] of auth.params) form.set(name, value);
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (auth.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
    } else {
      form.set('client_id', clientId);
      form.set('client_secret', clientSecret);
    }
    const url = auth.tokenUrl;
    let response: OutboundResponse;
    try {
      response = await this.#transport.send(
        { method: 'POST', url, headers, body: form.toString() },
        { timeoutMs: this.#timeoutMs },
      );
    } catch (error) {
      // Whatever happened to the token request, the app's own request was not sent: retrying it is safe.
      if (error instanceof NetworkError)
        throw new NetworkError(error.code, `token endpoint: ${error.message}`, false, error);
      throw error;
    }
    // A busy or failing token endpoint is not a credential problem: 503 + Retry-After, so Entra retries.
    if (response.status === 429 || response.status >= 500) {
      throw new UnavailableError(
        `The app's token endpoint is not answering successfully (HTTP ${response.status}); retry later`,
        (waitFromHeaders(response.headers) ?? 5000) / 1000,
      );
    }
    let parsed: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      parsed = JSON.parse(response.body) as typeof parsed;
    } catch {
      // handled below
    }
    if (response.status < 200 || response.status >= 300 || typeof parsed.access_token !== 'string') {
      throw new UpstreamError(
        'SCIMGW_UPSTREAM_AUTH',
        `The app's token endpoint refused the gateway's client credentials (HTTP ${response.status}); check the app's client id and secret`,
        response.status,
      );
    }
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in * 1000 : 3_600_000;
    this.#token = {
      value: parsed.access_token,
      expiresAt: this.#clock.now() + Math.max(lifetime - REFRESH_SKEW_MS, lifetime / 2),
    };
    return parsed.access_token;
  }
}
