/**
 * Process entry, and the only file that reads process.env and argv.
 *
 * `npm start` without a config runs the demo: the demo app in-process (or the one at DEMO_APP_URL) and the
 * gateway on the embedded store, serving app "demo". With `--config FILE` or SCIMGW_CONFIG it serves the
 * apps of that gateway.yaml, and reloads it when it, a connector's files or a `file:` secret change, or on
 * SIGHUP.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGatewayConfig } from './config/load.ts';
import type { GatewayConfig } from './config/schema.ts';
import { schemaExtension } from './config/schema-extension.ts';
import { createDemoApp, type DemoApp } from './demo-app/server.ts';
import { ConfigError, formatIssues } from './errors.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { createLogger } from './observability/logger.ts';
import { createDrain } from './shutdown.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_EXTENSION = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';

function configPath(argv: string[], env: NodeJS.ProcessEnv): string | undefined {
  const index = argv.indexOf('--config');
  if (index !== -1) return argv[index + 1];
  const inline = argv.find((arg) => arg.startsWith('--config='));
  return inline ? inline.slice('--config='.length) : env.SCIMGW_CONFIG;
}

interface Started {
  gateway: RunningGateway;
  demo?: DemoApp;
  banner: string[];
  /** Config mode: watch the inputs and reload on SIGHUP. */
  reloadable?: boolean;
}

async function startDemo(env: NodeJS.ProcessEnv, isDraining: () => boolean): Promise<Started> {
  const dataDir = resolve(env.SCIMGW_DATA_DIR ?? './data');
  const token = env.DEMO_TOKEN ?? randomBytes(24).toString('base64url');
  const rate = env.DEMO_APP_RATE === undefined ? 20 : Number(env.DEMO_APP_RATE);
  if (!Number.isFinite(rate) || rate < 0)
    throw new ConfigError([{ file: 'DEMO_APP_RATE', message: `Expected a number >= 0, got "${env.DEMO_APP_RATE}"` }]);
  let demo: DemoApp | undefined;
  let demoUrl = env.DEMO_APP_URL;
  let apiKey = env.DEMO_APP_API_KEY;
  if (!demoUrl) {
    apiKey ??= randomBytes(18).toString('base64url');
    demo = createDemoApp({ apiKey, rate, snapshotFile: join(dataDir, 'demo-app.json') });
    demoUrl = (await demo.listen(Number(env.DEMO_APP_PORT ?? 0))).url;
  } else if (!apiKey) {
    throw new ConfigError([
      {
        file: 'DEMO_APP_API_KEY',
        message: "DEMO_APP_URL is set, so DEMO_APP_API_KEY must give that demo app's API key",
      },
    ]);
  }
  const config: GatewayConfig = {
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    server: {
      host: env.HOST ?? '127.0.0.1',
      port: Number(env.PORT ?? 8080),
      trustProxy: false,
      requestTimeout: '50s',
      maxBodyBytes: 1024 * 1024,
      ...(env.SCIMGW_PUBLIC_URL ? { publicUrl: env.SCIMGW_PUBLIC_URL } : {}),
    },
    store: { type: 'embedded', dataDir },
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: ['env:DEMO_TOKEN'],
        settings: { baseUrl: demoUrl },
        secrets: { apiKey: 'env:DEMO_APP_API_KEY' },
        rateLimit: { requests: rate, per: '1s', concurrency: rate > 0 ? 8 : 64, buckets: {} },
        // Microsoft's example of an Entra custom attribute, kept in one of the demo app's custom fields.
        schemaExtensions: {
          User: [
            schemaExtension.parse({
              id: DEMO_EXTENSION,
              attributes: [{ name: 'CustomAttribute', description: 'An Entra custom attribute (demo)' }],
            }),
          ],
        },
        customFields: { User: { [`${DEMO_EXTENSION}:CustomAttribute`]: 'custom_attribute' } },
      },
    ],
  };
  const gateway = await startGateway({
    config,
    env: { ...env, DEMO_TOKEN: token, DEMO_APP_API_KEY: apiKey },
    logger: createLogger(),
    isDraining,
  });
  const tenantUrl = `${gateway.url}/apps/demo/scim/v2`;
  const banner = [
    'SCIM gateway demo is running.',
    `  Tenant URL:   ${tenantUrl}`,
    `  Secret Token: ${env.DEMO_TOKEN ? '(from DEMO_TOKEN)' : token}`,
    `  Demo app:     ${demoUrl}${demo ? ` (in-process, ${rate > 0 ? `${rate} requests/s` : 'no rate limit'})` : ''}`,
    `  Data:         ${dataDir}`,
    `  Custom attribute (Entra: Edit attribute list): ${DEMO_EXTENSION}:CustomAttribute → the demo app's custom field custom_attribute`,
    'Try it:',
    `  curl -s -H "Authorization: Bearer ${env.DEMO_TOKEN ? '$DEMO_TOKEN' : token}" '${tenantUrl}/Users?filter=userName%20eq%20%22alice%40example.com%22'`,
  ];
  return { gateway, ...(demo ? { demo } : {}), banner };
}

async function startConfigured(file: string, env: NodeJS.ProcessEnv, isDraining: () => boolean): Promise<Started> {
  const config = loadGatewayConfig(file);
  // SCIMGW_PUBLIC_URL stands in for server.publicUrl when the file has none (the chart sets it from its ingress).
  if (!config.server.publicUrl && env.SCIMGW_PUBLIC_URL) config.server.publicUrl = env.SCIMGW_PUBLIC_URL;
  // PORT and HOST override the file, as container platforms set them.
  const gateway = await startGateway({
    config,
    configFile: file,
    env,
    logger: createLogger(),
    isDraining,
    ...(env.PORT ? { port: Number(env.PORT) } : {}),
    ...(env.HOST ? { host: env.HOST } : {}),
  });
  const banner = [
    'SCIM gateway is running.',
    ...config.apps.map((app) => `  ${app.id}: ${gateway.url}/apps/${app.id}/scim/v2 (connector ${app.connector})`),
  ];
  return { gateway, banner, reloadable: true };
}

async function main(): Promise<void> {
  const env = process.env;
  const file = configPath(process.argv.slice(2), env);
  // SHUTDOWN_DELAY_MS: how long /readyz reports draining before the listener closes (a probe interval);
  // SHUTDOWN_TIMEOUT_MS: how long requests in flight may take to finish.
  const drain = createDrain({
    delayMs: Number(env.SHUTDOWN_DELAY_MS ?? 0),
    timeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS ?? 20_000),
  });
  const started = file ? await startConfigured(file, env, drain.draining) : await startDemo(env, drain.draining);
  process.stdout.write(`${started.banner.join('\n')}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    started.gateway.logger.info({ signal }, 'shutting down');
    const { gateway, demo } = started;
    // Past the drain bound, a close that hangs (a store that never answers) must not keep the pod alive.
    setTimeout(
      () => process.exit(1),
      Number(env.SHUTDOWN_DELAY_MS ?? 0) + Number(env.SHUTDOWN_TIMEOUT_MS ?? 20_000) + 10_000,
    ).unref();
    await drain.run({
      server: gateway.server,
      logger: gateway.logger,
      async close() {
        await gateway.close();
        await demo?.close();
      },
    });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (started.reloadable) {
    started.gateway.watch();
    // reload() logs its outcome (applied, refused with every problem, or restart required) itself.
    process.on('SIGHUP', () => void started.gateway.reload());
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`The configuration has problems:\n${formatIssues(error.issues)}\n`);
  } else {
    process.stderr.write(
      `The gateway could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
