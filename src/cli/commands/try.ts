/**
 * `scimgw try <app> <request.json>`: one SCIM request through the real gateway (koa, core, connector
 * engine) with nothing written to the app. Every outbound call is printed with its secrets masked; writes
 * get a synthetic success (see dry-run-transport.ts for its limits), reads are answered 404 unless
 * --allow-reads sends them. The id map is in memory, optionally seeded from a real store that is only read.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { pathFrom, type CliIo } from '../io.ts';
import { loadGatewayConfig } from '../../config/load.ts';
import type { GatewayConfig } from '../../config/schema.ts';
import { ConfigError, formatIssues, type ConfigIssue } from '../../errors.ts';
import { startGateway, type RunningGateway } from '../../gateway.ts';
import { silentLogger } from '../../observability/logger.ts';
import { UndiciTransport } from '../../outbound/transport.ts';
import { SqliteIdMap } from '../../store/embedded/sqlite-id-map.ts';
import { DryRunTransport } from '../dry-run-transport.ts';
import { copyStore, openStoreSpec } from './store-copy.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Where `npm run demo:app` listens by default, for a dry run of the demo without DEMO_APP_URL. */
const DEMO_APP_DEFAULT_URL = 'http://127.0.0.1:8090';
/** The inbound token of the dry run; it replaces the app's own tokens, which a dry run need not have. */
const TOKEN_VARIABLE = 'SCIMGW_TRY_TOKEN';

export interface TryRequest {
  method: (typeof METHODS)[number];
  /** Below the app's /scim/v2, e.g. /Users or /Groups/<id>. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: unknown;
}

interface TryOptions {
  config?: string;
  store?: string;
  allowReads?: boolean;
}

function stringRecord(value: unknown, field: string, file: string, issues: ConfigIssue[]): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    issues.push({
      file,
      path: field,
      message: `Expected an object of names to values, e.g. ${field === 'query' ? '{ "filter": "userName eq \\"alice\\"" }' : '{ "if-match": "W/\\"1\\"" }'}`,
    });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [name, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') out[name] = String(item);
    else issues.push({ file, path: `${field}.${name}`, message: 'Expected a string, number or boolean' });
  }
  return out;
}

/** Reads and checks the request file, reporting every problem at once (ConfigError). */
export function readTryRequest(file: string): TryRequest {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { file, message: `Cannot read the request file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError([{ file, message: `Not valid JSON: ${(error as Error).message}` }]);
  }
  const example = 'e.g. { "method": "POST", "path": "/Users", "body": { "userName": "alice@example.com" } }';
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ file, message: `Expected a JSON object describing one SCIM request, ${example}` }]);
  }
  const given = parsed as Record<string, unknown>;
  const issues: ConfigIssue[] = [];
  for (const name of Object.keys(given)) {
    if (!['method', 'path', 'query', 'headers', 'body'].includes(name))
      issues.push({ file, path: name, message: 'Unknown field: a request has method, path, query, headers and body' });
  }
  const method = typeof given.method === 'string' ? given.method.toUpperCase() : undefined;
  if (!method || !(METHODS as readonly string[]).includes(method)) {
    issues.push({
      file,
      path: 'method',
      message: `Expected one of ${METHODS.join(', ')}${given.method === undefined ? ` (missing; ${example})` : `, got ${JSON.stringify(given.method)}`}`,
    });
  }
  if (typeof given.path !== 'string' || !given.path.startsWith('/')) {
    issues.push({
      file,
      path: 'path',
      message: `Expected the path below the app's /scim/v2, starting with "/", e.g. "/Users" or "/Groups/<id>"${given.path === undefined ? ' (missing)' : `, got ${JSON.stringify(given.path)}`}`,
    });
  }
  const query = stringRecord(given.query, 'query', file, issues);
  const headers = stringRecord(given.headers, 'headers', file, issues);
  if (issues.length) throw new ConfigError(issues);
  return {
    method: method as TryRequest['method'],
    path: given.path as string,
    query,
    headers,
    ...(given.body !== undefined ? { body: given.body } : {}),
  };
}

/** The config `npm start` builds for the demo, pointed at DEMO_APP_URL (or the demo app's default port). */
function demoConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  return {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '50s', maxBodyBytes: 1024 * 1024 },
    store: { type: 'embedded', dataDir: './data' },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: [`env:${TOKEN_VARIABLE}`],
        settings: { baseUrl: env.DEMO_APP_URL ?? DEMO_APP_DEFAULT_URL },
        secrets: { apiKey: 'env:DEMO_APP_API_KEY' },
      },
    ],
  };
}

/** The gateway config reduced to the one app tried, with the dry run's own token and no pacing wait. */
function dryRunConfig(config: GatewayConfig, appId: string, where: string): GatewayConfig {
  const entry = config.apps.find((app) => app.id === appId);
  if (!entry) {
    const known = config.apps.map((app) => `"${app.id}"`).join(', ') || 'none';
    throw new ConfigError([
      {
        file: where,
        path: 'apps',
        message: `No app "${appId}" here (apps: ${known})${where === 'the demo config' ? '; give --config FILE to try the apps of a gateway.yaml' : ''}`,
      },
    ]);
  }
  // Other apps' secrets need not be present for this one to be tried; one request never waits for a budget.
  return {
    ...config,
    apps: [
      {
        ...entry,
        tokens: [`env:${TOKEN_VARIABLE}`],
        rateLimit: { requests: 0, per: '1s', buckets: entry.rateLimit?.buckets ?? {} },
      },
    ],
  };
}

/** A fresh in-memory id map, seeded from a real store when one is given; that store is only read. */
async function memoryStore(spec: string | undefined, cwd: string): Promise<SqliteIdMap> {
  const memory = new SqliteIdMap(':memory:');
  if (!spec) return memory;
  if (spec.startsWith('embedded:')) {
    const file = join(resolve(cwd, spec.slice('embedded:'.length) || './data'), 'scimgw.sqlite');
    if (!existsSync(file))
      throw new ConfigError([
        { file: '--store', message: `No id map at ${file}: give embedded:<the gateway's data dir>` },
      ]);
  }
  const source = await openStoreSpec(spec, 'scimgw', cwd);
  try {
    await copyStore(source, memory);
  } finally {
    await source.close();
  }
  return memory;
}

async function run(appId: string, requestFile: string, options: TryOptions, io: CliIo): Promise<number> {
  const env = io.env;
  const request = readTryRequest(pathFrom(io, requestFile));
  const given = options.config ?? env.SCIMGW_CONFIG;
  const file = given === undefined ? undefined : pathFrom(io, given);
  const config = dryRunConfig(file ? loadGatewayConfig(file) : demoConfig(env), appId, file ?? 'the demo config');
  const token = randomBytes(18).toString('base64url');
  const gatewayEnv: NodeJS.ProcessEnv = { ...env, [TOKEN_VARIABLE]: token };
  if (!file && !env.DEMO_APP_API_KEY) {
    if (options.allowReads)
      throw new ConfigError([
        {
          file: 'DEMO_APP_API_KEY',
          message: '--allow-reads sends reads to the demo app, so DEMO_APP_API_KEY must give its API key',
        },
      ]);
    gatewayEnv.DEMO_APP_API_KEY = 'dry-run-api-key';
  }
  const print = (lines: string[]) => io.out(`${lines.join('\n')}\n`);
  const transport = new DryRunTransport({
    print,
    ...(options.allowReads ? { reads: new UndiciTransport({ connections: 4 }) } : {}),
  });
  const idMap = await memoryStore(options.store, io.cwd);
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({
      config,
      ...(file ? { configFile: file } : {}),
      env: gatewayEnv,
      idMap,
      transport,
      logger: silentLogger(),
      port: 0,
      host: '127.0.0.1',
    });
  } catch (error) {
    await transport.close();
    await idMap.close();
    throw error;
  }
  try {
    const connector = config.apps[0]!.connector;
    print([
      `Dry run: ${request.method} ${request.path} on app "${appId}" (connector ${connector}), id map ${options.store ? `copied from ${options.store}` : 'empty, in memory'}.`,
      `Writes are not sent; reads ${options.allowReads ? 'are sent (--allow-reads)' : 'are not sent (answered 404; --allow-reads sends them)'}.`,
    ]);
    const search = Object.keys(request.query).length ? `?${new URLSearchParams(request.query).toString()}` : '';
    const hasBody = request.body !== undefined;
    const response = await fetch(`${gateway.url}/apps/${encodeURIComponent(appId)}/scim/v2${request.path}${search}`, {
      method: request.method,
      headers: {
        ...(hasBody ? { 'content-type': 'application/scim+json' } : {}),
        ...request.headers,
        authorization: `Bearer ${token}`,
      },
      ...(hasBody ? { body: typeof request.body === 'string' ? request.body : JSON.stringify(request.body) } : {}),
    });
    const text = await response.text();
    let body = text;
    try {
      if (text) body = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: shown as it came
    }
    if (!transport.calls.length) print(['', '(no calls to the app)']);
    print(['', `SCIM answer: ${response.status} ${response.statusText}`, ...(body ? [body] : [])]);
    return response.ok ? 0 : 1;
  } finally {
    await gateway.close();
    await transport.close();
    await idMap.close();
  }
}

export function register(program: Command, io: CliIo): void {
  program
    .command('try')
    .description(
      'Dry run: send one SCIM request through the gateway and print every call it would make to the app, without sending writes',
    )
    .argument('<app>', 'the app id (demo without --config)')
    .argument(
      '<request>',
      'a JSON file: { "method": "POST", "path": "/Users", "query": {…}, "headers": {…}, "body": {…} }',
    )
    .option('--config <file>', 'gateway.yaml (default: SCIMGW_CONFIG, else the demo config, at DEMO_APP_URL)')
    .option(
      '--store <store>',
      'seed the in-memory id map from this store, which is only read: embedded:<data dir> or redis://host:port',
    )
    .option('--allow-reads', 'send GETs (and OAuth token requests) to the app; writes are never sent')
    .addHelpText(
      'after',
      '\nExit status: 0 when the SCIM answer is 2xx, 1 otherwise, 2 when the request file, config or store is unusable.\n' +
        'Writes are answered with a synthetic success: a create echoes the body with "id": "dry-run-N" (also in a sole\n' +
        'wrapping object) and a Location ending in that id; fields the app would add are absent.',
    )
    .action(async (appId: string, requestFile: string, options: TryOptions) => {
      try {
        io.exitCode = await run(appId, requestFile, options, io);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.err(`scimgw try: cannot run:\n${formatIssues(error.issues)}\n`);
        io.exitCode = 2;
      }
    });
}
