/**
 * Inbound auth beyond the static token: the client credentials token endpoint (form and Basic client
 * auth, RFC 6749 errors, lifetime bounds), the issued tokens opening only their own app and only until
 * they expire, and external JWTs verified against a key set served over loopback.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayConfig } from '../../src/config/schema.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { UnavailableError } from '../../src/errors.ts';
import { ExternalJwt } from '../../src/http/oauth/external-jwt.ts';
import { TokenSigner } from '../../src/http/oauth/issued-tokens.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { ROOT } from '../helpers/stack.ts';

const SIGNING_KEY = 'signing-key-0123456789abcdef0123456789';
const ISSUER = 'https://sts.windows.net/11111111-2222-3333-4444-555555555555/';
const AUDIENCE = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';
const OTHER_TOKEN = 'other-static-token-0123456789';
const env = {
  SIGNING_KEY,
  DEMO_KEY: 'demo-key',
  CLIENT_SECRET: 's3cret/with+odd:chars',
  CLIENT_SECRET_NEXT: 'next-secret-0123456789',
  OTHER_SECRET: 'other-secret-0123456789',
  OTHER_TOKEN,
};

let demo: DemoApp;
let jwks: Server;
let jwksUrl: string;
let signingKey: CryptoKey;
let gateway: RunningGateway;
let idMap: SqliteIdMap;

function rawConfig(demoUrl: string) {
  const common = {
    connector: 'demo',
    settings: { baseUrl: demoUrl },
    secrets: { apiKey: 'env:DEMO_KEY' },
    rateLimit: { requests: 0 },
  };
  return {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: { host: '127.0.0.1', port: 0, tokenSigningKey: 'env:SIGNING_KEY' },
    store: { type: 'embedded', dataDir: './unused' },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        ...common,
        oauth: {
          clients: [
            { id: 'entra', secret: 'env:CLIENT_SECRET' },
            { id: 'entra', secret: 'env:CLIENT_SECRET_NEXT' },
          ],
        },
        jwt: { issuer: ISSUER, audience: AUDIENCE, jwksUrl },
      },
      {
        id: 'other',
        ...common,
        tokens: ['env:OTHER_TOKEN'],
        oauth: { clients: [{ id: 'other-client', secret: 'env:OTHER_SECRET' }], tokenLifetime: '2h' },
      },
    ],
  };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const keySet = JSON.stringify({
    keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }],
  });
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(keySet));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const address = jwks.address();
  jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/keys`;
  demo = createDemoApp({ apiKey: 'demo-key', rate: 0 });
  const { url } = await demo.listen();
  idMap = new SqliteIdMap(':memory:');
  gateway = await startGateway({ config: gatewayConfig.parse(rawConfig(url)), env, idMap, logger: silentLogger() });
});

afterAll(async () => {
  await gateway?.close();
  await idMap?.close();
  await demo?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

async function tokenRequest(app: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}/apps/${app}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

async function scimStatus(app: string, token: string, path = '/Users?count=1'): Promise<number> {
  const response = await fetch(`${gateway.url}/apps/${app}/scim/v2${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

describe('token endpoint', () => {
  it('issues a token for form-posted client credentials, not cached, with a 1 h default lifetime', async () => {
    const reply = await tokenRequest('demo', {
      grant_type: 'client_credentials',
      client_id: 'entra',
      client_secret: env.CLIENT_SECRET,
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect(reply.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
  });

  it('accepts HTTP Basic client credentials, a second secret during rotation, and the configured lifetime', async () => {
    const rotated = await tokenRequest(
      'demo',
      { grant_type: 'client_credentials' },
      { authorization: basic('entra', env.CLIENT_SECRET_NEXT) },
    );
    expect(rotated.status).toBe(200);
    const other = await tokenRequest(
      'other',
      { grant_type: 'client_credentials' },
      { authorization: basic('other-client', env.OTHER_SECRET) },
    );
    expect(other.status).toBe(200);
    expect(other.body.expires_in).toBe(7200);
  });

  it("refuses a wrong secret, an unknown client, another app's client and no credentials with 401 invalid_client", async () => {
    const attempts = [
      tokenRequest('demo', { grant_type: 'client_credentials', client_id: 'entra', client_secret: 'wrong' }),
      tokenRequest('demo', { grant_type: 'client_credentials' }, { authorization: basic('entra', 'wrong') }),
      tokenRequest('demo', { grant_type: 'client_credentials', client_id: 'nobody', client_secret: env.CLIENT_SECRET }),
      tokenRequest('demo', {
        grant_type: 'client_credentials',
        client_id: 'other-client',
        client_secret: env.OTHER_SECRET,
      }),
      tokenRequest('demo', { grant_type: 'client_credentials' }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: 'invalid_client' });
      expect(reply.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('answers 400 unsupported_grant_type for any other grant', async () => {
    const reply = await tokenRequest('demo', {
      grant_type: 'password',
      client_id: 'entra',
      client_secret: env.CLIENT_SECRET,
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ error: 'unsupported_grant_type' });
  });

  it('keeps the token lifetime between 60 minutes and 6 hours and requires a signing key for oauth', () => {
    const base = rawConfig('http://127.0.0.1:1');
    const withLifetime = (tokenLifetime: string) => ({
      ...base,
      apps: [{ ...base.apps[1]!, oauth: { ...base.apps[1]!.oauth, tokenLifetime } }],
    });
    expect(gatewayConfig.safeParse(withLifetime('59m')).success).toBe(false);
    expect(gatewayConfig.safeParse(withLifetime('361m')).success).toBe(false);
    expect(gatewayConfig.safeParse(withLifetime('60m')).success).toBe(true);
    expect(gatewayConfig.safeParse(withLifetime('6h')).success).toBe(true);
    expect(gatewayConfig.safeParse({ ...base, server: { host: '127.0.0.1' } }).success).toBe(false);
    const noWayIn = { id: 'bare', connector: 'demo', settings: {}, secrets: {} };
    expect(gatewayConfig.safeParse({ ...base, apps: [noWayIn] }).success).toBe(false);
    expect(gatewayConfig.safeParse({ ...base, apps: [{ ...noWayIn, tokens: ['env:T'] }] }).success).toBe(true);
  });
});

describe('issued tokens', () => {
  it("open the app's SCIM endpoints and not another app's", async () => {
    const { body } = await tokenRequest('demo', {
      grant_type: 'client_credentials',
      client_id: 'entra',
      client_secret: env.CLIENT_SECRET,
    });
    expect(await scimStatus('demo', body.access_token)).toBe(200);
    expect(await scimStatus('demo', body.access_token, '/ServiceProviderConfig')).toBe(200);
    expect(await scimStatus('other', body.access_token)).toBe(401);
    expect(await scimStatus('other', OTHER_TOKEN)).toBe(200);
  });

  it('are refused once expired, or when signed with another key', async () => {
    const issuedTwoHoursAgo = await new TokenSigner(SIGNING_KEY).issue(
      'demo',
      'entra',
      3600,
      Date.now() - 2 * 3_600_000,
    );
    expect(await scimStatus('demo', issuedTwoHoursAgo)).toBe(401);
    const forged = await new TokenSigner('another-key-0123456789abcdef0123456789').issue('demo', 'entra', 3600);
    expect(await scimStatus('demo', forged)).toBe(401);
    const current = await new TokenSigner(SIGNING_KEY).issue('demo', 'entra', 3600);
    expect(await scimStatus('demo', current)).toBe(200);
    const removedClient = await new TokenSigner(SIGNING_KEY).issue('demo', 'gone', 3600);
    expect(await scimStatus('demo', removedClient)).toBe(401);
  });

  it('answer a refusal with a SCIM 401 that does not say why', async () => {
    const response = await fetch(`${gateway.url}/apps/demo/scim/v2/Users`, {
      headers: { authorization: 'Bearer a.b.c' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await response.json()) as { status: string; detail: string };
    expect(body.status).toBe('401');
    expect(body.detail).toMatch(/^Authentication failed: invalid or expired token/);
  });
});

describe('external JWTs', () => {
  const sign = (claims: { iss?: string; aud?: string; exp?: number }) =>
    new SignJWT({ tid: '11111111-2222-3333-4444-555555555555' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setSubject('entra-provisioning')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(signingKey);

  it('accepts a good token of the configured issuer and audience', async () => {
    expect(await scimStatus('demo', await sign({}))).toBe(200);
  });

  it('refuses an expired token, a wrong audience and a wrong issuer', async () => {
    expect(await scimStatus('demo', await sign({ exp: Math.floor(Date.now() / 1000) - 120 }))).toBe(401);
    expect(await scimStatus('demo', await sign({ aud: 'someone-else' }))).toBe(401);
    expect(
      await scimStatus('demo', await sign({ iss: 'https://sts.windows.net/99999999-0000-0000-0000-000000000000/' })),
    ).toBe(401);
  });

  it('are not accepted by an app without jwt', async () => {
    expect(await scimStatus('other', await sign({}))).toBe(401);
  });

  it('refuses a token signed by a key the key set does not hold', async () => {
    const stranger = await generateKeyPair('RS256');
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k9' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(stranger.privateKey);
    expect(await scimStatus('demo', token)).toBe(401);
  });

  it('turn an unreachable or failing key set into a 503 to retry, not a 401 that quarantines', async () => {
    const failing = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const port = (failing.address() as { port: number }).port;
    try {
      const token = await sign({});
      const broken = new ExternalJwt({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${port}/keys` });
      const refused = await broken.verify(token).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UnavailableError);
      expect((refused as UnavailableError).status).toBe(503);
      expect((refused as UnavailableError).retryAfter).toBeGreaterThan(0);
      await new Promise((resolve) => failing.close(resolve));
      const unreachable = new ExternalJwt({
        issuer: ISSUER,
        audience: AUDIENCE,
        jwksUrl: `http://127.0.0.1:${port}/keys`,
      });
      expect(await unreachable.verify(token).catch((error: unknown) => error)).toBeInstanceOf(UnavailableError);
      // A bad token is still the token's fault while the key set is up.
      const healthy = new ExternalJwt({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });
      expect(await healthy.verify(await sign({ aud: 'someone-else' }))).toBeUndefined();
      expect(await healthy.verify(token)).toMatchObject({ sub: 'entra-provisioning' });
    } finally {
      failing.close();
    }
  });
});
