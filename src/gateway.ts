/**
 * The composition root: from a validated gateway config to a running gateway. Loads each app's
 * connector, resolves its settings and secrets, opens the store, wires runtime → provisioning → koa, and
 * listens. Every config problem across all apps is reported at once. The apps form a generation that a
 * reload replaces while the store, transport and server stay (config/reload.ts).
 */
import type { Server } from 'node:http';
import { createGatewayServer } from './http/tls/tls-server.ts';
import { dirname, resolve } from 'node:path';
import type Koa from 'koa';
import { buildApp, type GatewayApp } from './app.ts';
import { AdminStatus } from './admin/admin-status.ts';
import { toMilliseconds } from './config/duration.ts';
import type { CallObserver } from './connectors/caller.ts';
import type { GatewayConfig } from './config/schema.ts';
import { loadGatewayConfig } from './config/load.ts';
import { prepare, type Where } from './config/prepare-apps.ts';
import { Generations, inputFiles, Reloader, type ReloadResult } from './config/reload.ts';
import { resolveSecret } from './config/secrets.ts';
import type { IdMap, LockManager } from './core/id-map.ts';
import { createLogger, silentLogger, type Logger } from './observability/logger.ts';
import { UndiciTransport, type Transport } from './outbound/transport.ts';
import { LocalAppSnapshots, type AppSnapshots } from './core/app-snapshot.ts';
import { LocalLocks } from './store/embedded/local-locks.ts';
import { effectiveStore, openStore } from './store/open-store.ts';
import { RedisTokenStore } from './store/redis/redis-tokens.ts';
import { RedisBudget } from './store/redis/redis-budget.ts';
import { LocalBudget } from './outbound/budget.ts';
import { buildGeneration, type AppGeneration, type Shared } from './app-generation.ts';
import type { Clock } from './outbound/clock.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { TimedIdMap } from './observability/timed-id-map.ts';
import { auditTrail, createAuditSink } from './observability/audit.ts';
import { inboundMetrics } from './http/middleware/inbound-metrics.ts';
import { LocalMemberProgress, type MemberProgress } from './core/member-progress.ts';
import { AttributeReport } from './observability/attribute-report.ts';

export interface GatewayOptions {
  config: GatewayConfig;
  /** The config file, for relative paths and error messages. */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  transport?: Transport;
  /** Told about every outbound call (fixture runs collect the operations and statuses seen). */
  observer?: CallObserver;
  metrics?: Metrics;
  idMap?: IdMap;
  locks?: LockManager;
  memberProgress?: MemberProgress;
  /** Where app snapshots are kept (default: the store's; in process when an IdMap is given). */
  snapshots?: AppSnapshots;
  /** False: apps keep no snapshot schedule (a CLI command refreshing one itself). Default true. */
  snapshotSchedules?: boolean;
  /** True while shutting down: /readyz answers 503 (shutdown.ts). */
  isDraining?: () => boolean;
  /** The time of outbound pacing, retries and request deadlines (fixture runs skip waits). */
  clock?: Clock;
}

export interface Gateway {
  koa: Koa;
  metrics: Metrics;
  apps: Map<string, GatewayApp>;
  idMap: IdMap;
  logger: Logger;
  /** Loads the config and connectors again; applies them only if they are valid (see config/reload.ts). */
  reload(): Promise<ReloadResult>;
  /** Reloads on every change of the config file, a connector's files or a `file:` secret. */
  watch(debounceMs?: number): void;
  close(): Promise<void>;
}

export interface RunningGateway extends Gateway {
  server: Server;
  port: number;
  url: string;
}

/** What outlives reloads: the store, metrics, audit sink, transport, locks and rate budgets. */
interface Lasting {
  shared: Shared;
  store: Awaited<ReturnType<typeof openStore>> | undefined;
  audit: ReturnType<typeof createAuditSink>;
}

async function openLasting(options: GatewayOptions, where: Where, logger: Logger): Promise<Lasting> {
  const { config } = options;
  const store = options.idMap
    ? undefined
    : await openStore(effectiveStore(config.store, where.env), {
        baseDir: where.base,
        env: where.env,
        where: where.file,
      });
  const metrics = options.metrics ?? createMetrics({ defaults: true });
  const locks = options.locks ?? store?.locks ?? new LocalLocks();
  const clock = options.clock;
  const shared: Shared = {
    transport: options.transport ?? new UndiciTransport(),
    memberProgress: options.memberProgress ?? store?.memberProgress ?? new LocalMemberProgress(),
    snapshots: options.snapshots ?? store?.snapshots ?? new LocalAppSnapshots(),
    snapshotSchedules: options.snapshotSchedules ?? true,
    logger,
    attributes: new AttributeReport(logger, metrics),
    metrics,
    idMap: new TimedIdMap(options.idMap ?? store!.idMap, metrics.storeDuration),
    locks,
    // Redis shares each app's budget between replicas; otherwise this process keeps it. Either way it
    // outlives reloads, so a new generation's pacers continue the old ones' accounting.
    rateBudget: store?.redis
      ? new RedisBudget(store.redis, store.prefix)
      : new LocalBudget(clock ? () => clock.now() : undefined),
    sharedTokens: store?.redis ? new RedisTokenStore(store.redis, locks, store.prefix) : undefined,
    observer: options.observer,
    clock,
  };
  return { shared, store, audit: createAuditSink(config.observability?.audit ?? { stdout: true }, logger) };
}

function reloaderFor(
  options: GatewayOptions,
  generations: Generations<AppGeneration>,
  shared: Shared,
  where: Where,
  logger: Logger,
): Reloader<AppGeneration> {
  const { config } = options;
  return new Reloader({
    generations,
    running: config,
    // Without a config file (the demo, tests) the same config is rebuilt: connectors and secrets re-read.
    async load() {
      const next = options.configFile ? loadGatewayConfig(options.configFile) : config;
      const prepared = prepare(next, where);
      return {
        config: next,
        generation: await buildGeneration(
          prepared,
          inputFiles(options.configFile, next, prepared.connectors.values()),
          shared,
        ),
      };
    },
    logger,
    reloads: shared.metrics.configReloads,
    where: where.file,
  });
}

/** The koa application in front of the current generation, with its metrics and audit trail outermost. */
function frontEnd(
  options: GatewayOptions,
  lasting: Lasting,
  generations: Generations<AppGeneration>,
  where: Where,
  logger: Logger,
): Koa {
  const { config } = options;
  const { shared, store, audit } = lasting;
  const { server } = config;
  const koa = buildApp({
    apps: (ctx) => ((ctx.state.generation as AppGeneration | undefined) ?? generations.current).apps,
    store: { ping: () => shared.idMap.ping(), warnings: () => store?.warnings() ?? Promise.resolve([]) },
    ...(store ? { storeKind: store.kind } : {}),
    metrics: shared.metrics.registry,
    logger,
    requestTimeoutMs: toMilliseconds(server.requestTimeout),
    maxBodyBytes: server.maxBodyBytes,
    trustProxy: server.trustProxy,
    ...(server.publicUrl ? { publicUrl: server.publicUrl } : {}),
    allowedHosts: server.allowedHosts ?? [],
    ...(options.isDraining ? { isDraining: options.isDraining } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    logPersonalData: config.observability?.logPersonalData ?? false,
    ...(config.admin
      ? {
          admin: new AdminStatus({
            tokens: config.admin.tokens.map((ref) => resolveSecret(ref, `${where.file} admin.tokens`, where.env)),
            circuitState: shared.metrics.circuitState,
          }),
        }
      : {}),
  });
  if (!server.publicUrl && !server.allowedHosts?.length && !/^(127\.|localhost$|::1$)/.test(server.host)) {
    logger.warn(
      { host: server.host },
      'server.publicUrl is not set: SCIM requests are answered only when their Host is a loopback name; set server.publicUrl to the address Entra calls',
    );
  }
  // First of all middleware, so a request holds its generation open from its first byte to its last.
  koa.middleware.unshift(
    inboundMetrics(shared.metrics),
    auditTrail(() => audit),
  );
  koa.middleware.unshift((ctx, next) =>
    generations.pin((generation) => {
      ctx.state.generation = generation;
      return next();
    }),
  );
  return koa;
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config } = options;
  const env = options.env ?? process.env;
  const where: Where = {
    file: options.configFile ?? 'gateway config',
    base: options.configFile ? dirname(resolve(options.configFile)) : process.cwd(),
    env,
  };
  const logger = options.logger ?? createLogger();
  const first = prepare(config, where);
  const lasting = await openLasting(options, where, logger);
  const { shared, store, audit } = lasting;
  const generations = new Generations(
    await buildGeneration(first, inputFiles(options.configFile, config, first.connectors.values()), shared),
  );
  const reloader = reloaderFor(options, generations, shared, where, logger);
  return {
    koa: frontEnd(options, lasting, generations, where, logger),
    metrics: shared.metrics,
    get apps() {
      return generations.current.apps;
    },
    idMap: shared.idMap,
    logger,
    reload: () => reloader.reload(),
    watch: (debounceMs?: number) => reloader.watch(debounceMs),
    async close() {
      await reloader.close();
      generations.closeAll();
      if (!options.transport) await shared.transport.close();
      if (!options.idMap) await shared.idMap.close();
      store?.memberProgress.close?.();
      store?.snapshots.close?.();
      await audit.close();
    },
  };
}

export async function startGateway(
  options: GatewayOptions & { port?: number; host?: string },
): Promise<RunningGateway> {
  // The certificate is checked before anything opens: a bad pair stops start-up with the file named.
  const listener = createGatewayServer(options.config, {
    where: options.configFile ?? 'gateway config',
    env: options.env ?? process.env,
    logger: options.logger ?? silentLogger(),
  });
  const gateway = await createGateway(options);
  const { server, scheme } = listener;
  const handle = gateway.koa.callback();
  server.on('request', (request, response) => void handle(request, response));
  server.listen(options.port ?? options.config.server.port, options.host ?? options.config.server.host);
  await new Promise<void>((resolveListen, reject) => {
    server.once('listening', resolveListen);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = options.host ?? options.config.server.host;
  return {
    koa: gateway.koa,
    metrics: gateway.metrics,
    // A getter, not a copy: a reload replaces the map.
    get apps() {
      return gateway.apps;
    },
    idMap: gateway.idMap,
    logger: gateway.logger,
    reload: () => gateway.reload(),
    watch: (debounceMs?: number) => gateway.watch(debounceMs),
    server,
    port,
    url: `${scheme}://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`,
    async close() {
      listener.close();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeIdleConnections();
      });
      await gateway.close();
    },
  };
}
