/**
 * Shared by the live suites (test/live/*.test.ts): a gateway started in-process against a real app on
 * 127.0.0.1 (settings and secrets from the environment the scripts/live/*.sh scripts write), a SCIM client
 * speaking as Entra, and Entra's request bodies. Each suite adds its own checks of the app's API.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { GatewayConfig } from '../../src/config/schema.ts';
import type { IdMap } from '../../src/core/id-map.ts';
import { startGateway, type RunningGateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';

export { ENTERPRISE, entraUser, PATCH_OP, patchBody } from '../helpers/entra-bodies.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const GROUP_SCHEMAS = [
  'urn:ietf:params:scim:schemas:core:2.0:Group',
  'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
];

export interface ScimReply {
  status: number;
  headers: Headers;
  body: any;
}

export interface LiveGateway {
  gateway: RunningGateway;
  idMap: IdMap;
  /** The app id in the Tenant URL. */
  app: string;
  base: string;
  scim(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ScimReply>;
  /** The app id the gateway keeps for a SCIM id. */
  appIdOf(kind: 'User' | 'Group', scimId: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** True when every named environment variable is set and not empty. */
export function haveEnv(...names: string[]): boolean {
  return names.every((name) => (process.env[name] ?? '') !== '');
}

/**
 * Starts the gateway on 127.0.0.1 (free port, in-memory id map) serving one app with the given connector.
 * `settings` are plain values; `secrets` are values, handed to the gateway as env: references.
 */
export async function startLiveGateway(options: {
  connector: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  app?: string;
  requestTimeout?: string;
}): Promise<LiveGateway> {
  const app = options.app ?? options.connector;
  const token = randomBytes(18).toString('base64url');
  const env: Record<string, string> = { LIVE_SCIM_TOKEN: token };
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.secrets)) {
    const variable = `LIVE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    env[variable] = value;
    secrets[name] = `env:${variable}`;
  }
  const idMap = new SqliteIdMap(':memory:');
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: {
      host: '127.0.0.1',
      port: 0,
      trustProxy: false,
      requestTimeout: options.requestTimeout ?? '20s',
      maxBodyBytes: 1024 * 1024,
    },
    store: { type: 'embedded', dataDir: './unused' },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      { id: app, connector: options.connector, tokens: ['env:LIVE_SCIM_TOKEN'], settings: options.settings, secrets },
    ],
  };
  const gateway = await startGateway({ config, env, idMap, logger: silentLogger() });
  const base = `${gateway.url}/apps/${app}/scim/v2`;
  return {
    gateway,
    idMap,
    app,
    base,
    async scim(method, path, body, headers = {}) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
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
    async appIdOf(kind, scimId) {
      return (await idMap.get(app, kind, scimId))?.appId ?? undefined;
    },
    async close() {
      await gateway.close();
      await idMap.close();
    },
  };
}

/** Entra's create-group body (entra-profile.md §2.2a): no members, Microsoft's extra schema URI. */
export function entraGroup(displayName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: GROUP_SCHEMAS,
    externalId: `ext-${displayName}`,
    displayName,
    meta: { resourceType: 'Group' },
    ...overrides,
  };
}

/** `?filter=…` for a SCIM query, encoded. */
export function filterQuery(filter: string, extra = ''): string {
  return `?filter=${encodeURIComponent(filter)}${extra}`;
}

/** A short random tag that makes names unique per run (lower-case letters and digits). */
export function runTag(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
