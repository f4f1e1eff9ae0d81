/**
 * What an attacker (or a broken app) tried against a running gateway on 127.0.0.1, each now answered
 * properly: trickled bodies and too many connections (D1), a huge app answer (D2), malformed
 * percent-encoding (D4), unauthenticated noise in the audit trail and on the status page (D5), absurd
 * startIndex values (D7), an oversized chunked body (D8) and a forged Host header (D9).
 */
import { createServer, request as httpRequest } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogs, type LogCapture } from '../helpers/log-capture.ts';
import { entraUser, startStack, TOKEN, type Stack } from '../helpers/stack.ts';

const ADMIN = 'admin-token-0123456789';
let stack: Stack;
let logs: LogCapture;
beforeAll(async () => {
  logs = captureLogs();
  stack = await startStack({ maxBodyBytes: 64 * 1024, adminToken: ADMIN, logger: logs.logger });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  logs.lines.length = 0;
  stack.demo.log.length = 0;
});

const origin = () => stack.gateway.url;

/** A raw request, so the path and headers go out exactly as written. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(origin());
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function expectScimJson(
  reply: { status: number; headers: Record<string, string | string[] | undefined>; body: string },
  statuses: number[],
) {
  expect(statuses).toContain(reply.status);
  expect(String(reply.headers['content-type'])).toMatch(/^application\/scim\+json/);
  const body = JSON.parse(reply.body) as { schemas: string[]; status: string; detail: string };
  expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(body.status).toBe(String(reply.status));
  return body;
}

describe('D4: malformed percent-encoding', () => {
  it('is a SCIM 400 or 404, with or without a token, and logs no error', async () => {
    for (const path of [
      '/apps/demo/scim/v2/Users/%zz',
      '/apps/demo/scim/v2/Groups/%E0%A4%A',
      '/apps/demo/scim/v2/Users/%',
      '/apps/%zz/scim/v2/Users',
      '/apps/demo/scim/v2/%zz',
    ]) {
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[]) {
        const body = expectScimJson(await raw('GET', path, headers), [400, 401, 404]);
        expect(body.detail).not.toMatch(/URIError|at .*\.ts/);
      }
    }
    expect(logs.errors()).toEqual([]);
    expect(stack.demo.log).toHaveLength(0);
  });
});

describe('D5: unauthenticated requests', () => {
  it('write no audit event and do not push real errors off the status page', async () => {
    const realError = await stack.scim('GET', '/Users/no-such-user');
    expect(realError.status).toBe(404);
    const longId = 'x'.repeat(15_000);
    for (let index = 0; index < 30; index++) {
      expect(
        (
          await raw(
            'PATCH',
            `/apps/demo/scim/v2/Users/${longId}${index}`,
            { authorization: 'Bearer wrong', 'content-type': 'application/scim+json' },
            '{}',
          )
        ).status,
      ).toBe(401);
      expect((await raw('DELETE', `/apps/demo/scim/v2/Groups/${longId}`, {})).status).toBe(401);
    }
    expect(logs.entries().filter((entry) => entry.audit === true)).toEqual([]);
    expect(logs.lines.every((line) => line.length < 2_000)).toBe(true);
    const status = await stack.scim('GET', `${origin()}/admin/status.json`, undefined, {
      authorization: `Bearer ${ADMIN}`,
    });
    const demo = (
      status.body.apps as {
        id: string;
        lastErrors: { requestId: string; status: number }[];
        traffic: { refused: number };
      }[]
    ).find((app) => app.id === 'demo')!;
    expect(demo.lastErrors.map((error) => error.status)).toContain(404);
    expect(demo.lastErrors.some((error) => error.status === 401)).toBe(false);
    expect(demo.traffic.refused).toBeGreaterThanOrEqual(60);
  });

  it('audits authenticated writes with the id cut short', async () => {
    const longId = 'y'.repeat(5_000);
    expect((await stack.scim('DELETE', `/Users/${longId}`)).status).toBe(404);
    const events = logs.entries().filter((entry) => entry.audit === true);
    expect(events).toHaveLength(1);
    expect(String(events[0]!.scimId).length).toBeLessThanOrEqual(130);
    expect(String(events[0]!.scimId)).toMatch(/^y+…$/);
  });
});

describe('D7: startIndex far beyond any app', () => {
  it('is capped and answers an empty page, never page 1 labelled as position 1e17', async () => {
    for (const name of ['d7-a@contoso.test', 'd7-b@contoso.test'])
      expect((await stack.scim('POST', '/Users', entraUser(name))).status).toBe(201);
    for (const startIndex of ['100000000000000000', '9007199254740993', '1e17', '2147483648']) {
      const reply = await stack.scim('GET', `/Users?startIndex=${startIndex}&count=5`);
      expect(reply.status).toBe(200);
      expect(reply.body.Resources).toEqual([]);
      expect(reply.body.startIndex).toBeLessThanOrEqual(2_147_483_647);
      expect(reply.body.totalResults).toBeGreaterThanOrEqual(2);
    }
  });
});

describe('D8: an oversized chunked body', () => {
  it('gets a SCIM 413, not a connection reset', async () => {
    const reply = await new Promise<{
      status: number;
      body: string;
      headers: Record<string, string | string[] | undefined>;
    }>((resolve, reject) => {
      const url = new URL(origin());
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/apps/demo/scim/v2/Users',
          headers: {
            authorization: `Bearer ${TOKEN}`,
            'content-type': 'application/scim+json',
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
        },
      );
      req.on('error', reject);
      const chunk = `{"userName":"${'z'.repeat(16 * 1024)}`;
      // 128 KiB against a 64 KiB limit, written as the server reads; writes after the answer are ignored.
      let sent = 0;
      const pump = () => {
        while (sent < 8) {
          sent++;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      req.on('response', () => (sent = 8));
      pump();
    });
    expectScimJson(reply, [413]);
    expect(reply.headers.connection).toBe('close');
    expect(stack.demo.log).toHaveLength(0);
  });
});

describe('D9: a forged Host header without server.publicUrl', () => {
  it('is refused instead of being copied into Location and meta.location', async () => {
    const forged = await raw(
      'POST',
      '/apps/demo/scim/v2/Users',
      { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', host: 'evil.example' },
      JSON.stringify(entraUser('d9@contoso.test')),
    );
    const body = expectScimJson(forged, [400]);
    expect(body.detail).toContain('server.publicUrl');
    expect(JSON.stringify(forged)).not.toContain('evil.example/apps');
    expect(stack.demo.log).toHaveLength(0);
    // Loopback names are what a local client sends; they are answered as before.
    const local = await stack.scim('POST', '/Users', entraUser('d9@contoso.test'));
    expect(local.status).toBe(201);
    expect(local.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apps\/demo\/scim\/v2\/Users\//);
    // Health endpoints are probed by address (a pod IP): they never depend on the Host.
    expect((await raw('GET', '/livez', { host: '10.1.2.3:8080' })).status).toBe(200);
  });

  it('uses server.publicUrl, whatever the Host, when it is set', async () => {
    const behind = await startStack({ publicUrl: 'https://scim.example.com' });
    try {
      const reply = await fetch(`${behind.base}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/scim+json', host: 'evil.example' },
        body: JSON.stringify(entraUser('d9b@contoso.test')),
      });
      expect(reply.status).toBe(201);
      expect(reply.headers.get('location')).toMatch(/^https:\/\/scim\.example\.com\/apps\/demo\/scim\/v2\/Users\//);
      expect(((await reply.json()) as { meta: { location: string } }).meta.location).toMatch(
        /^https:\/\/scim\.example\.com\//,
      );
    } finally {
      await behind.close();
    }
  });

  it('accepts the hosts listed in server.allowedHosts', async () => {
    const listed = await startStack({ allowedHosts: ['scim.internal:8443'] });
    try {
      const url = new URL(listed.gateway.url);
      const reply = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path: '/apps/demo/scim/v2/Users',
            headers: {
              authorization: `Bearer ${TOKEN}`,
              'content-type': 'application/scim+json',
              host: 'SCIM.internal:8443',
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location }));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(entraUser('d9c@contoso.test')));
      });
      expect(reply.status).toBe(201);
      expect(reply.location).toMatch(/^http:\/\/scim\.internal:8443\/apps\/demo\//i);
    } finally {
      await listed.close();
    }
  });
});

/** A raw connection that sends headers announcing a body, then trickles it one byte at a time. */
function trickle(
  url: string,
  headers: string[],
  length: number,
  everyMs: number,
): Promise<{ answer: string; bytesSent: number }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    let answer = '';
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(
        `POST /apps/demo/scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/scim+json\r\nContent-Length: ${length}\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`,
      );
      timer = setInterval(() => {
        if (bytesSent >= length || socket.destroyed) return;
        socket.write('{');
        bytesSent++;
      }, everyMs);
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    // The server ending the connection is the point: the trickle would otherwise go on for minutes.
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, bytesSent });
    });
    socket.on('error', () => undefined);
    socket.setTimeout(30_000, () => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error('the server kept the trickling connection open for 30 s'));
    });
  });
}

describe('D1: slow bodies and connection limits', () => {
  let slow: Stack;
  beforeAll(async () => {
    slow = await startStack({ requestTimeout: '1s', server: { receiveTimeout: '3s', maxConnections: 8 } });
  });
  afterAll(async () => {
    await slow.close();
  });

  it('answers a trickled body without a token with 401 at once and closes the connection', async () => {
    const { answer, bytesSent } = await trickle(slow.gateway.url, [], 10_000, 50);
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(bytesSent).toBeLessThan(10_000);
  });

  it('stops reading a trickled body at the request deadline: 408, connection closed, nothing sent to the app', async () => {
    slow.demo.log.length = 0;
    const { answer, bytesSent } = await trickle(slow.gateway.url, [`Authorization: Bearer ${TOKEN}`], 10_000, 50);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer).toContain('"status":"408"');
    expect(bytesSent).toBeLessThan(10_000);
    expect(slow.demo.log).toHaveLength(0);
  });

  it('refuses connections beyond server.maxConnections, and serves again once they close', async () => {
    const { hostname, port } = new URL(slow.gateway.url);
    const held = await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(Number(port), hostname, () => resolve(socket));
            socket.on('error', () => undefined);
          }),
      ),
    );
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), hostname);
      socket.on('error', () => resolve(true));
      socket.on('close', () => resolve(true));
      socket.on('data', () => resolve(false));
      socket.on('connect', () => socket.write('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    });
    expect(refused).toBe(true);
    for (const socket of held) socket.destroy();
    await expect
      .poll(async () => (await fetch(`${slow.gateway.url}/livez`).catch(() => undefined))?.status, { timeout: 10_000 })
      .toBe(200);
  });
});

describe('D2: an app answering a huge page', () => {
  it('is abandoned at the size limit with a 502, once, not read whole and not retried', async () => {
    const calls: string[] = [];
    const app = createServer((req, res) => {
      calls.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"users":[');
      const row = Buffer.from(`${JSON.stringify({ id: 1, user_name: 'x'.repeat(900) })},`);
      let sent = 0;
      const pump = () => {
        while (sent < 200_000) {
          sent++;
          if (!res.write(row)) return void res.once('drain', pump);
        }
        res.end('{}]}');
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const huge = await startStack({ appUrl: `http://127.0.0.1:${(app.address() as AddressInfo).port}` });
    try {
      const reply = await huge.scim('GET', '/Users?startIndex=1&count=5');
      expect(reply.status).toBe(502);
      expect(reply.body.detail).toMatch(/larger than 8388608 bytes \(demo User\.list\)/);
      expect(calls).toHaveLength(1);
    } finally {
      await huge.close();
      app.closeAllConnections();
      await new Promise((resolve) => app.close(resolve));
    }
  });
});
