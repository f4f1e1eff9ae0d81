/**
 * A whole gateway for tests: the demo app in-process, the gateway with the demo connector on an
 * in-memory embedded store, both on 127.0.0.1 with free ports, and a small SCIM client.
 */
import { join } from 'node:path';
import type { AppConfig, GatewayConfig } from '../../src/config/schema.ts';
import type { Logger } from '../../src/observability/logger.ts';
import type { IdMap } from '../../src/core/id-map.ts';
import type { Clock } from '../../src/outbound/clock.ts';
import { createDemoApp, type DemoApp, type FaultOptions } from '../../src/demo-app/server.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';

export { ENTERPRISE, entraUser, PATCH_OP, patchBody } from './entra-bodies.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TOKEN = 'test-token-0123456789';
export const OTHER_TOKEN = 'other-app-token-9876543210';

export interface ScimReply {
  status: number;
  headers: Headers;
  body: any;
}

export interface Stack {
  demo: DemoApp;
  /** The demo app's base URL. */
  demoUrl: string;
  gateway: RunningGateway;
  idMap: IdMap;
  base: string;
  scim(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  close(): Promise<void>;
}

export interface StackOptions {
  rate?: number;
  requestTimeout?: string;
  faults?: FaultOptions;
  maxBodyBytes?: number;
  /** Turns on /admin/status with this bearer token. */
  adminToken?: string;
  /** Added to the "demo" app's entry in gateway.yaml (schemaExtensions, customFields, rateLimit…). */
  demoApp?: Partial<AppConfig>;
  logger?: Logger;
  /** Where connectors are looked up (default: the project's connectors/). */
  connectorDirs?: string[];
  /** The connector both apps use (default: demo); it takes the demo connector's settings and secrets. */
  connector?: string;
  /** server.publicUrl and server.allowedHosts of gateway.yaml. */
  publicUrl?: string;
  allowedHosts?: string[];
  /** More of gateway.yaml's server block (receiveTimeout, maxConnections…). */
  server?: Partial<GatewayConfig['server']>;
  /** The demo connector's baseUrl setting, when the app under test is not the stack's demo app. */
  appUrl?: string;
  /** The gateway's clock (outbound pacing, retries, deadlines, snapshot schedules). */
  clock?: Clock;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const demo = createDemoApp({
    apiKey: 'demo-key',
    rate: options.rate ?? 0,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const { url } = await demo.listen();
  const idMap = new SqliteIdMap(':memory:');
  const app = (id: string, token: string) => ({
    id,
    connector: options.connector ?? 'demo',
    tokens: [`env:${id.toUpperCase()}_TOKEN`],
    settings: { baseUrl: options.appUrl ?? url },
    secrets: { apiKey: 'env:DEMO_KEY' },
    rateLimit: { requests: 0, per: '1s', concurrency: 64, buckets: {} },
    token,
  });
  const apps = [{ ...app('demo', TOKEN), ...options.demoApp }, app('other', OTHER_TOKEN)];
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: {
      host: '127.0.0.1',
      port: 0,
      trustProxy: false,
      requestTimeout: options.requestTimeout ?? '10s',
      maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
      ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
      ...(options.allowedHosts ? { allowedHosts: options.allowedHosts } : {}),
      ...options.server,
    },
    store: { type: 'embedded', dataDir: './unused' },
    connectorDirs: options.connectorDirs ?? [join(ROOT, 'connectors')],
    apps: apps.map(({ token: _token, ...rest }) => rest),
    ...(options.adminToken ? { admin: { tokens: ['env:ADMIN_TOKEN'] } } : {}),
  };
  const gateway = await startGateway({
    config,
    env: {
      DEMO_TOKEN: TOKEN,
      OTHER_TOKEN: OTHER_TOKEN,
      DEMO_KEY: 'demo-key',
      ...(options.adminToken ? { ADMIN_TOKEN: options.adminToken } : {}),
    },
    idMap,
    logger: options.logger ?? silentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const base = `${gateway.url}/apps/demo/scim/v2`;
  return {
    demo,
    demoUrl: url,
    gateway,
    idMap,
    base,
    async scim(method, path, body, headers = {}) {
      const response = await fetch(path.startsWith('http') ? path : `${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // left as text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      await gateway.close();
      await idMap.close();
      await demo.close();
    },
  };
}
