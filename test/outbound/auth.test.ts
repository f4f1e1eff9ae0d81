import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledAuth } from '../../src/connectors/compiled.ts';
import { compileTemplate } from '../../src/connectors/expression.ts';
import { GatewayError, UnavailableError, UpstreamError } from '../../src/errors.ts';
import { AuthInjector } from '../../src/outbound/auth.ts';
import { resolveAuth } from '../../src/connectors/resolve-auth.ts';
import { NetworkError, UndiciTransport, type OutboundRequest, type Transport } from '../../src/outbound/transport.ts';

const t = (source: string) => compileTemplate(source, { file: 'connector.yaml', line: 1, col: 1 });
const bindings = {
  config: { tenant: 'acme', audience: 'https://api.example.test' },
  secrets: { key: 'k-123', user: 'alice', pass: 'p:ss wörd', id: 'client-1', secret: 'S3cr3t/+=' },
};
/** A transport that must not be used: the static kinds never call out. */
const noNetwork: Transport = {
  send: () => Promise.reject(new Error('no network expected')),
  close: async () => undefined,
};
const request = (url = 'https://app.example.test/api/users?page=2'): OutboundRequest => ({
  method: 'GET',
  url,
  headers: {},
});
/** The connector's auth block rendered from the app's settings and secrets, then injected. */
const make = async (auth: CompiledAuth, transport: Transport, timeoutMs: number) =>
  new AuthInjector(await resolveAuth(auth, bindings), transport, { timeoutMs });

describe('static credentials', () => {
  it('none leaves the request alone', async () => {
    const req = request();
    await (await make({ type: 'none' }, noNetwork, 1000)).apply(req);
    expect(req).toEqual(request());
  });

  it('apiKey in a header', async () => {
    const req = request();
    await (
      await make({ type: 'apiKey', in: 'header', name: 'X-Api-Key', value: t('{{ $secrets.key }}') }, noNetwork, 1000)
    ).apply(req);
    expect(req.headers).toEqual({ 'X-Api-Key': 'k-123' });
    expect(req.url).toBe(request().url);
  });

  it('apiKey in the query, keeping the other parameters', async () => {
    const req = request();
    await (
      await make(
        { type: 'apiKey', in: 'query', name: 'api_key', value: t('{{ $config.tenant }}-{{ $secrets.key }}') },
        noNetwork,
        1000,
      )
    ).apply(req);
    const url = new URL(req.url);
    expect(url.searchParams.get('api_key')).toBe('acme-k-123');
    expect(url.searchParams.get('page')).toBe('2');
    expect(req.headers).toEqual({});
  });

  it('bearer', async () => {
    const req = request();
    await (await make({ type: 'bearer', token: t('{{ $secrets.key }}') }, noNetwork, 1000)).apply(req);
    expect(req.headers.authorization).toBe('Bearer k-123');
  });

  it('basic is base64 of user:pass', async () => {
    const req = request();
    const auth: CompiledAuth = {
      type: 'basic',
      username: t('{{ $secrets.user }}'),
      password: t('{{ $secrets.pass }}'),
    };
    await (await make(auth, noNetwork, 1000)).apply(req);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('alice:p:ss wörd').toString('base64')}`);
  });

  it('only OAuth2 is refreshable', async () => {
    expect((await make({ type: 'bearer', token: t('x') }, noNetwork, 1000)).refreshable).toBe(false);
  });
});

interface TokenCall {
  headers: IncomingMessage['headers'];
  form: URLSearchParams;
}

describe('OAuth2 client credentials', () => {
  let server: Server;
  let tokenUrl: string;
  const calls: TokenCall[] = [];
  /** status 0: drop the connection without answering. */
  let answer: { status: number; body: unknown; delayMs?: number; headers?: Record<string, string> } = {
    status: 200,
    body: {},
  };
  let issued = 0;
  const transport = new UndiciTransport();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      req.on('end', () => {
        calls.push({ headers: req.headers, form: new URLSearchParams(text) });
        if (answer.status === 0) return req.socket.destroy();
        const reply = () => {
          const body =
            answer.status === 200 && answer.body === undefined
              ? { access_token: `tok-${++issued}`, token_type: 'Bearer', expires_in: 3600 }
              : answer.body;
          res
            .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
            .end(JSON.stringify(body));
        };
        if (answer.delayMs) setTimeout(reply, answer.delayMs);
        else reply();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{{ $config.tenant }}/oauth/token`;
  });
  afterAll(async () => {
    await transport.close();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    calls.length = 0;
    answer = { status: 200, body: undefined };
  });

  const oauth = (
    overrides: Partial<Extract<CompiledAuth, { type: 'oauth2ClientCredentials' }>> = {},
  ): CompiledAuth => ({
    type: 'oauth2ClientCredentials',
    tokenUrl: t(tokenUrl),
    clientId: t('{{ $secrets.id }}'),
    clientSecret: t('{{ $secrets.secret }}'),
    clientAuth: 'body',
    scopes: ['users.read', 'users.write'],
    params: [['audience', t('{{ $config.audience }}')]],
    ...overrides,
  });

  it('posts the form with client_id/client_secret in the body (clientAuth: body)', async () => {
    const req = request();
    await (await make(oauth(), transport, 2000)).apply(req);
    expect(req.headers.authorization).toMatch(/^Bearer tok-\d+$/);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(call?.form ?? [])).toEqual({
      grant_type: 'client_credentials',
      scope: 'users.read users.write',
      audience: 'https://api.example.test',
      client_id: 'client-1',
      client_secret: 'S3cr3t/+=',
    });
  });

  it('sends the client credentials as Basic (clientAuth: basic), form-encoded first', async () => {
    const req = request();
    await (await make(oauth({ clientAuth: 'basic', scopes: [], params: [] }), transport, 2000)).apply(req);
    const [call] = calls;
    expect(Object.fromEntries(call?.form ?? [])).toEqual({ grant_type: 'client_credentials' });
    const header = call?.headers.authorization ?? '';
    expect(header).toMatch(/^Basic /);
    const [id, secret] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map(decodeURIComponent);
    expect([id, secret]).toEqual(['client-1', 'S3cr3t/+=']);
  });

  it('caches the token across calls', async () => {
    const injector = await make(oauth(), transport, 2000);
    const first = request();
    const second = request();
    await injector.apply(first);
    await injector.apply(second);
    expect(second.headers.authorization).toBe(first.headers.authorization);
    expect(calls).toHaveLength(1);
  });

  it('lets concurrent callers share one fetch', async () => {
    answer = { status: 200, body: undefined, delayMs: 50 };
    const injector = await make(oauth(), transport, 2000);
    const requests = Array.from({ length: 5 }, () => request());
    await Promise.all(requests.map((req) => injector.apply(req)));
    expect(calls).toHaveLength(1);
    expect(new Set(requests.map((req) => req.headers.authorization)).size).toBe(1);
  });

  it('invalidate() forces a new token', async () => {
    const injector = await make(oauth(), transport, 2000);
    expect(injector.refreshable).toBe(true);
    const first = request();
    await injector.apply(first);
    injector.invalidate();
    const second = request();
    await injector.apply(second);
    expect(calls).toHaveLength(2);
    expect(second.headers.authorization).not.toBe(first.headers.authorization);
  });

  it('refreshes a token whose lifetime has run out', async () => {
    answer = { status: 200, body: { access_token: 'short', expires_in: 0 } };
    const injector = await make(oauth(), transport, 2000);
    await injector.apply(request());
    await injector.apply(request());
    expect(calls).toHaveLength(2);
  });

  it.each([
    { status: 401, body: { error: 'invalid_client', error_description: 'bad secret S3cr3t/+=' } },
    { status: 400, body: { error: 'invalid_request' } },
    { status: 200, body: { token_type: 'Bearer' } },
    { status: 200, body: 'not json' },
  ])('a refusal ($status) is an UpstreamError SCIMGW_UPSTREAM_AUTH (502) with no secret in it', async (refusal) => {
    answer = refusal;
    const error = await (await make(oauth(), transport, 2000)).apply(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    const upstream = error as UpstreamError;
    expect(upstream.code).toBe('SCIMGW_UPSTREAM_AUTH');
    expect(upstream.status).toBe(502);
    expect(upstream.upstreamStatus).toBe(refusal.status);
    for (const secret of ['S3cr3t', 'client-1', 'invalid_client', 'bad secret'])
      expect(upstream.message).not.toContain(secret);
    expect(upstream.message).toMatch(/client id and secret/);
  });

  it.each([503, 429])(
    'a busy token endpoint (%i) is a 503 with its Retry-After, not a credential problem',
    async (status) => {
      answer = { status, body: { error: 'busy' }, headers: { 'retry-after': '7' } };
      const error = await (await make(oauth(), transport, 2000)).apply(request()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error).toMatchObject({ status: 503, code: 'SCIMGW_UNAVAILABLE', retryAfter: 7 });
    },
  );

  it('a dropped token request is a NetworkError marked "not sent", as the app call never left', async () => {
    answer = { status: 0, body: undefined };
    const error = await (await make(oauth(), transport, 2000)).apply(request()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).sent).toBe(false);
    expect((error as Error).message).not.toContain('S3cr3t');
  });

  it('does not cache a failure: the next call asks again', async () => {
    answer = { status: 401, body: {} };
    const injector = await make(oauth(), transport, 2000);
    await expect(injector.apply(request())).rejects.toBeInstanceOf(GatewayError);
    answer = { status: 200, body: undefined };
    const req = request();
    await injector.apply(req);
    expect(req.headers.authorization).toMatch(/^Bearer tok-/);
    expect(calls).toHaveLength(2);
  });
});
