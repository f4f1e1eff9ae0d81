/**
 * Runs one fixture case through the real gateway (koa front end, core, connector engine) with a
 * ReplayTransport as the only way out, and reports every difference from what the case declares. Used by
 * the contract test over every connector, and by connector authors' own tooling.
 */
import { basename, dirname } from 'node:path';
import type { GatewayConfig } from '../../config/schema.ts';
import { startGateway } from '../../gateway.ts';
import { silentLogger } from '../../observability/logger.ts';
import { SqliteIdMap } from '../../store/embedded/sqlite-id-map.ts';
import type { CompiledConnector } from '../compiled.ts';
import type { FixtureApp, FixtureCase } from './fixture.ts';
import { ReplayTransport, type RecordedCall } from './replay-transport.ts';
import type { Transport } from '../../outbound/transport.ts';
import { skippingClock } from '../../outbound/clock.ts';
import { lowerKeys, subsetMismatches } from './subset.ts';

export interface FixtureResult {
  problems: string[];
  /** Connector operations the case ran (User.create, Group.members.add…) and the app statuses it saw. */
  operations: string[];
  statuses: number[];
  scimStatus: number;
  scimBody: unknown;
  /** Every outbound call, whole, in order (check-spec holds them against the vendor's description). */
  calls: RecordedCall[];
}

const TOKEN = 'fixture-scim-token';

/** What answers the gateway's calls in a run: the fixture's replay, or (from-openapi) a recorder. */
export interface RunTransport extends Transport {
  readonly problems: string[];
  readonly recorded: RecordedCall[];
  leftovers(): string[];
}

/** The ids the case says the gateway already knows, committed as if created earlier. */
async function seedIdMap(fixture: FixtureCase): Promise<SqliteIdMap> {
  const idMap = new SqliteIdMap(':memory:');
  const now = new Date().toISOString();
  for (const [kind, entries] of [
    ['User', fixture.given?.users],
    ['Group', fixture.given?.groups],
  ] as const) {
    for (const [scimId, entry] of Object.entries(entries ?? {})) {
      const key = entry.userName ?? entry.displayName ?? null;
      await idMap.reserve({
        app: 'fixture',
        kind,
        scimId,
        appId: entry.appId,
        key,
        externalId: entry.externalId ?? null,
        shadow: entry.shadow ?? null,
        appHash: null,
        created: now,
        lastModified: now,
        committed: true,
      });
    }
  }
  return idMap;
}

/** A one-app gateway config for the connector in `dir`; secrets reach it through the environment. */
function fixtureConfig(dir: string, app: FixtureApp): { config: GatewayConfig; env: Record<string, string> } {
  const env: Record<string, string> = { FIXTURE_TOKEN: TOKEN };
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(app.secrets)) {
    const variable = `FIXTURE_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    env[variable] = value;
    secrets[name] = `env:${variable}`;
  }
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '20s', maxBodyBytes: 1024 * 1024 },
    store: { type: 'embedded', dataDir: '.' },
    connectorDirs: [dirname(dir)],
    apps: [
      {
        id: 'fixture',
        connector: basename(dir),
        tokens: ['env:FIXTURE_TOKEN'],
        settings: app.settings,
        secrets,
        rateLimit: { requests: 0, per: '1s', buckets: {} },
        ...(app.schemaExtensions ? { schemaExtensions: app.schemaExtensions } : {}),
        ...(app.customFields ? { customFields: app.customFields } : {}),
      },
    ],
  };
  return { config, env };
}

/** Sends the case's SCIM request and holds the answer against what the case expects. */
async function ask(
  gatewayUrl: string,
  fixture: FixtureCase,
): Promise<{ scimStatus: number; scimBody: unknown; problems: string[] }> {
  const { method, path, query, headers, body } = fixture.request;
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  const response = await fetch(`${gatewayUrl}/apps/fixture/scim/v2${path}${search}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const scimStatus = response.status;
  const text = await response.text();
  const scimBody = text ? (JSON.parse(text) as unknown) : undefined;
  const problems: string[] = [];
  if (scimStatus !== fixture.expect.status)
    problems.push(
      `SCIM answer: expected status ${fixture.expect.status}, got ${scimStatus}${text ? `: ${text.slice(0, 300)}` : ''}`,
    );
  if (fixture.expect.headers)
    problems.push(
      ...subsetMismatches(lowerKeys(fixture.expect.headers), Object.fromEntries(response.headers), 'SCIM headers'),
    );
  if (fixture.expect.body !== undefined) problems.push(...subsetMismatches(fixture.expect.body, scimBody, 'SCIM body'));
  return { scimStatus, scimBody, problems };
}

export async function runFixture(
  dir: string,
  connector: CompiledConnector,
  shared: FixtureApp,
  fixture: FixtureCase,
  options: { transport?: (baseUrl: string) => RunTransport } = {},
): Promise<FixtureResult> {
  const app: FixtureApp = {
    ...shared,
    ...Object.fromEntries(Object.entries(fixture.app ?? {}).filter(([, value]) => value !== undefined)),
  };
  const baseUrl = await connector.http.baseUrl.render({ config: app.settings, secrets: app.secrets });
  const transport: RunTransport = options.transport?.(baseUrl) ?? new ReplayTransport(fixture.exchanges, baseUrl);
  const idMap = await seedIdMap(fixture);
  const { config, env } = fixtureConfig(dir, app);
  const operations: string[] = [];
  const statuses: number[] = [];
  const gateway = await startGateway({
    // A recorded 429 or 5xx is waited out and retried as in production, without real seconds passing.
    clock: skippingClock(),
    config,
    env,
    idMap,
    transport,
    logger: silentLogger(),
    observer: {
      onCall(event) {
        operations.push(event.operation);
        if (typeof event.status === 'number') statuses.push(event.status);
      },
    },
  });
  let answer: Awaited<ReturnType<typeof ask>>;
  try {
    answer = await ask(gateway.url, fixture);
  } finally {
    await gateway.close();
    await idMap.close();
  }
  const problems = [...transport.problems, ...answer.problems, ...transport.leftovers()];
  const { scimStatus, scimBody } = answer;
  return { problems, operations, statuses, scimStatus, scimBody, calls: transport.recorded };
}
