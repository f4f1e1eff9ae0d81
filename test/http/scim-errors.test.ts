/**
 * The error mapping on a bare koa app over loopback: what a client reads for each kind of error, what
 * stays in the log, headers set before the failure dropped, and no second answer once one has started.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ExpressionError,
  GatewayError,
  HttpRequestError,
  UnauthorizedError,
  UnavailableError,
  UpstreamError,
} from '../../src/errors.ts';
import { requestContext } from '../../src/http/middleware/request-context.ts';
import { scimErrors } from '../../src/http/middleware/scim-errors.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A server whose only route runs `handler`; returns its URL and the error log. */
async function serve(handler: Koa.Middleware) {
  const logged: { event: Record<string, unknown>; message: string }[] = [];
  const app = new Koa();
  app.use(requestContext());
  app.use(scimErrors({ error: (event, message) => void logged.push({ event, message }) }));
  app.use(handler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, logged };
}

async function answer(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as { status: string; detail: string; scimType?: string },
  };
}

describe('the SCIM error answer', () => {
  it('gives a 4xx its message and scimType, and drops headers set before the failure', async () => {
    const { url } = await serve((ctx) => {
      ctx.set('ETag', 'W/"1"');
      ctx.set('Location', 'http://gw/apps/a/scim/v2/Users/1');
      throw new ConflictError('userName is taken');
    });
    const reply = await answer(url);
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringMatching(/^userName is taken \(request [\w-]+\)$/),
    });
    expect(reply.headers.get('etag')).toBeNull();
    expect(reply.headers.get('location')).toBeNull();
    expect(reply.headers.get('x-request-id')).toBeTruthy();
  });

  it('keeps the headers an error needs: WWW-Authenticate on a 401, Allow on a 405, Retry-After on a 503', async () => {
    const errors = [
      new UnauthorizedError(),
      new HttpRequestError(405, 'use GET', { Allow: 'GET' }),
      new UnavailableError('later', 7),
    ];
    for (const error of errors) {
      const { url } = await serve(() => {
        throw error;
      });
      const reply = await answer(url);
      expect(reply.status).toBe(error.status);
      expect({
        www: reply.headers.get('www-authenticate'),
        allow: reply.headers.get('allow'),
        retry: reply.headers.get('retry-after'),
      }).toEqual({
        www: error.status === 401 ? 'Bearer realm="scim"' : null,
        allow: error.status === 405 ? 'GET' : null,
        retry: error.status === 503 ? '7' : null,
      });
    }
  });

  it('tells Entra what a 5xx class declares safe, and keeps its internals in the log with the request id', async () => {
    const cases: [Error, RegExp][] = [
      [
        new UpstreamError(
          'SCIMGW_UPSTREAM_AUTH',
          "The app refused the gateway's credentials (acme User.get answered HTTP 401)",
          401,
        ),
        /^The app refused the gateway's credentials/,
      ],
      [
        new ExpressionError(
          'acme',
          'connectors/acme/connector.yaml:12:9',
          'JSONata T2001 the left side of "+" is not a number',
        ),
        /^The acme connector failed while translating for the app; the gateway log names the expression/,
      ],
      [
        new GatewayError('SCIMGW_STORE', 500, 'SQLITE_IOERR at /data/scimgw.sqlite'),
        /^The gateway could not complete the request \(SCIMGW_STORE\); its log has the details/,
      ],
      [
        new TypeError("Cannot read properties of undefined (reading 'x') at /app/src/core/write.ts:12"),
        /^The gateway failed unexpectedly/,
      ],
    ];
    for (const [error, detail] of cases) {
      const { url, logged } = await serve(() => {
        throw error;
      });
      const reply = await answer(url);
      expect(reply.body.detail).toMatch(detail);
      expect(reply.body.detail).not.toMatch(/connector\.yaml|jsonata|\.sqlite|\.ts|T2001|reading/i);
      expect(logged).toHaveLength(1);
      expect(String((logged[0]!.event.err as Error).message)).toBe(error.message);
      expect(logged[0]!.event.requestId).toBe(reply.headers.get('x-request-id'));
    }
  });

  it('closes the connection after an error that leaves the request body unread', async () => {
    const { url } = await serve(() => {
      throw new UnauthorizedError();
    });
    const reply = await fetch(url, {
      method: 'POST',
      body: 'x'.repeat(200_000),
      headers: { 'content-type': 'application/scim+json' },
    });
    expect(reply.status).toBe(401);
    expect(reply.headers.get('connection')).toBe('close');
    const read = await fetch(url);
    expect(read.headers.get('connection')).not.toBe('close');
  });

  it('writes nothing more once the answer has started: the connection is ended and the failure logged', async () => {
    const { url, logged } = await serve((ctx) => {
      ctx.res.writeHead(200, { 'content-type': 'application/json' });
      ctx.res.write('{"partial":');
      throw new Error('failed half way');
    });
    const outcome = await fetch(url).then(
      async (response) => ({ status: response.status, text: await response.text().catch(() => 'cut') }),
      () => ({ status: 0, text: 'cut' }),
    );
    expect(outcome.text === 'cut' || !outcome.text.includes('"schemas"')).toBe(true);
    expect(logged.map((entry) => entry.message)).toEqual(['request failed after its answer had started']);
  });
});
