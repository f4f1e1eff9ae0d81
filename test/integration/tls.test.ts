/**
 * Native HTTPS (server.tls): SCIM served over TLS with a certificate the test makes, TLS below 1.2
 * refused, a renewed certificate picked up without a restart, a broken renewal ignored (the old
 * certificate keeps serving), and a broken pair at start-up refused with the config path.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/schema.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { ConfigError } from '../../src/errors.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../../src/observability/logger.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { createTestCa, type TestCa } from '../helpers/certificates.ts';
import { ROOT, TOKEN } from '../helpers/stack.ts';

let ca: TestCa;
let dir: string;
let demo: DemoApp;
let gateway: RunningGateway;
const messages: string[] = [];
const logger = createLogger({
  level: 'info',
  destination: new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean))
        messages.push(String((JSON.parse(line) as { msg?: string }).msg));
      done();
    },
  }),
});
const certFile = () => join(dir, 'tls.crt');
const keyFile = () => join(dir, 'tls.key');

function config(demoUrl: string, cert = `file:${certFile()}`): GatewayConfig {
  return {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: {
      host: '127.0.0.1',
      port: 0,
      trustProxy: false,
      requestTimeout: '10s',
      maxBodyBytes: 1024 * 1024,
      tls: { cert, key: `file:${keyFile()}`, minVersion: 'TLSv1.2' },
    },
    store: { type: 'embedded', dataDir: './unused' },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: ['env:DEMO_TOKEN'],
        settings: { baseUrl: demoUrl },
        secrets: { apiKey: 'env:DEMO_KEY' },
        rateLimit: { requests: 0, per: '1s', buckets: {} },
      },
    ],
  };
}

/** The certificate a fresh TLS connection is served, checked against the test CA. */
function servedCertificate(port: number, options: { maxVersion?: 'TLSv1.1' } = {}): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: ca.caPem, ...options }, () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve(certificate);
    });
    socket.once('error', reject);
  });
}

async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let last = await probe();
  for (let attempt = 0; attempt < 100 && !done(last); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

beforeAll(async () => {
  ca = createTestCa();
  dir = mkdtempSync(join(tmpdir(), 'scimgw-tls-'));
  ca.issue(certFile(), keyFile(), 'first.scim.test');
  demo = createDemoApp({ apiKey: 'demo-key', rate: 0 });
  const { url } = await demo.listen();
  gateway = await startGateway({
    config: config(url),
    env: { DEMO_TOKEN: TOKEN, DEMO_KEY: 'demo-key' },
    idMap: new SqliteIdMap(':memory:'),
    logger,
  });
});
afterAll(async () => {
  await gateway?.close();
  await demo?.close();
  rmSync(dir, { recursive: true, force: true });
  ca?.close();
});

// One gateway through its certificate's life: served, renewed, then a broken renewal: in this order.
describe('native HTTPS', { shuffle: false }, () => {
  it('serves SCIM over TLS with the configured certificate', async () => {
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new Agent({ connect: { ca: ca.caPem } });
    const reply = await undiciFetch(
      `${gateway.url}/apps/demo/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody"')}`,
      { headers: { authorization: `Bearer ${TOKEN}` }, dispatcher: agent },
    );
    expect(reply.status).toBe(200);
    expect(((await reply.json()) as { totalResults: number }).totalResults).toBe(0);
    await agent.close();
    expect((await servedCertificate(gateway.port)).subject.CN).toBe('first.scim.test');
  });

  it('passes the container HEALTHCHECK over HTTPS (SCIMGW_HEALTH_URL)', async () => {
    // Asynchronously: the gateway answering it runs in this very process.
    const healthcheck = (url: string) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, 'src', 'healthcheck.ts')], {
          env: { ...process.env, SCIMGW_HEALTH_URL: url },
          stdio: 'ignore',
        });
        child.once('exit', (code) => resolve(code));
      });
    expect(await healthcheck(`${gateway.url}/livez`)).toBe(0);
    expect(await healthcheck(`${gateway.url}/no-such-path`)).toBe(1);
  });

  it('refuses TLS below 1.2', async () => {
    await expect(servedCertificate(gateway.port, { maxVersion: 'TLSv1.1' })).rejects.toThrow();
  });

  it('picks up a renewed certificate without a restart, and keeps the old one when a renewal is broken', async () => {
    ca.issue(certFile(), keyFile(), 'renewed.scim.test');
    const renewed = await eventually(
      () => servedCertificate(gateway.port),
      (certificate) => certificate.subject.CN === 'renewed.scim.test',
    );
    expect(renewed.subject.CN).toBe('renewed.scim.test');
    messages.length = 0;
    writeFileSync(certFile(), '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    // Once the watcher has seen the broken file and refused it, the renewed certificate still serves.
    const refused = await eventually(
      async () => messages.some((message) => message.includes('TLS certificate not reloaded')),
      Boolean,
    );
    expect(refused).toBe(true);
    expect((await servedCertificate(gateway.port)).subject.CN).toBe('renewed.scim.test');
  });

  it('refuses to start with a certificate and key that do not belong together, naming server.tls', async () => {
    const other = join(dir, 'other.crt');
    const spare = createTestCa();
    try {
      spare.issue(other, join(dir, 'other.key'), 'other.scim.test');
      const error = await startGateway({
        config: config('http://127.0.0.1:1', `file:${other}`),
        env: { DEMO_TOKEN: TOKEN, DEMO_KEY: 'k' },
        idMap: new SqliteIdMap(':memory:'),
        logger: silentLogger(),
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]).toMatchObject({
        path: 'server.tls',
        message: expect.stringContaining('could not be loaded'),
      });
    } finally {
      spare.close();
    }
  });
});
