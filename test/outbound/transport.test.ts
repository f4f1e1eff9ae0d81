/**
 * The undici transport against a real local server: an answer past the size limit is abandoned while
 * it streams (D2: a 560 MB page once drove the gateway to 1.97 GB), whether or not it announces its size.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { originAndPath, ResponseTooLargeError, UndiciTransport } from '../../src/outbound/transport.ts';

let server: Server;
let base: string;
/** Bytes the server managed to write per request path, until the client went away. */
const written = new Map<string, number>();
const transport = new UndiciTransport();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    written.set(path, 0);
    const chunk = Buffer.alloc(64 * 1024, 120);
    const announce = path === '/announced';
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(announce ? { 'content-length': String(500 * 1024 * 1024) } : {}),
    });
    if (path === '/small') return void res.end('{"ok":true}');
    // Up to 500 MB, written only as fast as the client reads.
    let sent = 0;
    const pump = () => {
      while (sent < 500 * 1024 * 1024) {
        sent += chunk.length;
        written.set(path, sent);
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('UndiciTransport answer size limit', () => {
  it('reads an answer within the limit', async () => {
    expect(
      (await transport.send({ method: 'GET', url: `${base}/small`, headers: {} }, { timeoutMs: 5000, maxBytes: 1024 }))
        .body,
    ).toBe('{"ok":true}');
  });

  it('abandons a streamed answer once it passes the limit, long before the app has written it all', async () => {
    const error = await transport
      .send({ method: 'GET', url: `${base}/streamed`, headers: {} }, { timeoutMs: 30_000, maxBytes: 1024 * 1024 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect((error as ResponseTooLargeError).limit).toBe(1024 * 1024);
    // Socket buffers hold a few MB at most; the other 490-odd MB were never sent.
    expect(written.get('/streamed')).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses an answer whose Content-Length is over the limit without reading it', async () => {
    const error = await transport
      .send({ method: 'GET', url: `${base}/announced`, headers: {} }, { timeoutMs: 30_000, maxBytes: 1024 * 1024 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(written.get('/announced')).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('originAndPath', () => {
  const viaUrl = (url: string) => {
    const parsed = new URL(url);
    return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
  };

  it('splits what WHATWG URL would not change exactly as the parser does', () => {
    for (const url of [
      'http://127.0.0.1:8080/api/users',
      'https://api.example.com/v2/users/42?fields=a,b&x=%20y',
      'https://api.example.com/v1/users/abc%2Fdef/roles',
      'https://api.example.com',
      'http://localhost:3000/api/users?user_name=ada%40contoso.com',
      'https://api.example.com/scim/v2/Users/.search',
    ])
      expect(originAndPath(url), url).toEqual(viaUrl(url));
  });

  it('leaves to the parser whatever it would rewrite: dot segments, spaces, upper-case hosts, default ports', () => {
    for (const url of [
      'http://127.0.0.1:8080/api/users/../teams',
      'http://127.0.0.1:8080/api/users/%2e%2E/teams',
      'http://127.0.0.1:8080/api/./users',
      'http://127.0.0.1:8080/api/users?q=a b',
      'http://127.0.0.1:8080/api/users?q="x"',
      "http://127.0.0.1:8080/api/users?q='x'",
      'HTTPS://API.Example.com/v1/users',
      'https://api.example.com:443/v1/users',
      'https://api.example.com/v1/ü',
      'https://user:pw@api.example.com/v1',
    ])
      expect(originAndPath(url), url).toEqual(viaUrl(url));
  });
});
