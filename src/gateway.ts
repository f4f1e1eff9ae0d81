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
import { ConnectorRuntime } from './connectors/runtime.ts';
import { outboundPolicy } from './connectors/outbound-policy.ts';
import type { CallObserver } from './connectors/caller.ts';
import type { GatewayConfig } from './config/schema.ts';
import { loadGatewayConfig } from './config/load.ts';
import { prepare, withBucketOverrides, type Prepared, type Where } from './config/prepare-apps.ts';
import { Generations, inputFiles, Reloader, type Generation, type ReloadResult } from './config/reload.ts';
import { resolveSecret } from './config/secrets.ts';
import type { IdMap, LockManager } from './core/id-map.ts';
import { Provisioning } from './core/provisioning.ts';
import { TokenSet } from './http/middleware/inbound-auth.ts';
import { createLogger, silentLogger, type Logger } from './observability/logger.ts';
import { UndiciTransport, type Transport } from './outbound/transport.ts';
import { LocalLocks } from './store/embedded/local-locks.ts';
import { effectiveStore, openStore } from './store/open-store.ts';
import { RedisTokenStore } from './store/redis/redis-tokens.ts';
import { RedisBudget } from './store/redis/redis-budget.ts';
import { LocalBudget, type RateBudget } from './outbound/budget.ts';
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

/** What every generation of apps shares: the store, the outbound transport, metrics and rate budgets. */
interface Shared {
  transport: Transport;
  memberProgress: MemberProgress;
  attributes: AttributeReport;
  metrics: Metrics;
  idMap: IdMap;
  locks: LockManager;
  rateBudget: RateBudget;
  sharedTokens: RedisTokenStore | undefined;
  observer: CallObserver | undefined;
  clock: Clock | undefined;
}

interface AppGeneration extends Generation {
  apps: Map<string, GatewayApp>;
}

/** Builds the apps of one config: a runtime, pacer, breaker and provisioning per app. */
async function buildGeneration(prepared: Prepared, files: string[], shared: Shared): Promise<AppGeneration> {
  const { metrics } = shared;
  const apps = new Map<string, GatewayApp>();
  const runtimes: ConnectorRuntime[] = [];
  const close = () => {
    for (const runtime of runtimes) runtime.close();
  };
  try {
    for (const entry of prepared.config.apps) {
      const connector = withBucketOverrides(prepared.connectors.get(entry.connector)!, entry);
      const { tokens, settings, secrets } = prepared.parts.get(entry.id)!;
      const schema = prepared.schemas.get(entry.id)!;
      const policy = outboundPolicy(connector, entry);
      const runtime = await ConnectorRuntime.create(connector, { config: settings, secrets, customFields: schema.customFields }, {
        transport: shared.transport,
        policy,
        budget: shared.rateBudget,
        ...(shared.sharedTokens ? { sharedTokens: { store: shared.sharedTokens, key: entry.id } } : {}),
        metrics,
        ...(shared.observer ? { observer: shared.observer } : {}),
        ...(shared.clock ? { clock: shared.clock } : {}),
      });
      runtimes.push(runtime);
      apps.set(entry.id, {
        id: entry.id,
        connector,
        resourceTypes: schema.resourceTypes,
        attributes: Object.fromEntries((['User', 'Group'] as const).filter((kind) => runtime.supports(kind)).map((kind) => [kind, runtime.mappedAttributes(kind)])),
        tokens: new TokenSet(tokens),
        ...prepared.auth.get(entry.id),
        pacer: runtime.pacer,
        unmapped: () => shared.attributes.unmapped(entry.id),
        ...(policy.budget ? { budget: policy.budget } : {}),
        provisioning: new Provisioning({
          app: entry.id,
          connector: runtime,
          idMap: shared.idMap,
          locks: shared.locks,
          resourceTypes: schema.resourceTypes,
          memberProgress: shared.memberProgress,
          events: shared.attributes.eventsFor(entry.id),
        }),
      });
    }
  } catch (error) {
    close();
    throw error;
  }
  return { apps, files, close };
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

  const store = options.idMap ? undefined : await openStore(effectiveStore(config.store, env), { baseDir: where.base, env, where: where.file });
  const metrics = options.metrics ?? createMetrics({ defaults: true });
  const idMap: IdMap = new TimedIdMap(options.idMap ?? store!.idMap, metrics.storeDuration);
  const audit = createAuditSink(config.observability?.audit ?? { stdout: true }, logger);
  const transport = options.transport ?? new UndiciTransport();
  const locks = options.locks ?? store?.locks ?? new LocalLocks();
  const shared: Shared = {
    transport,
    memberProgress: options.memberProgress ?? store?.memberProgress ?? new LocalMemberProgress(),
    attributes: new AttributeReport(logger, metrics),
    metrics,
    idMap,
    locks,
    // Redis shares each app's budget between replicas; otherwise this process keeps it. Either way it
    // outlives reloads, so a new generation's pacers continue the old ones' accounting.
    rateBudget: store?.redis ? new RedisBudget(store.redis, store.prefix) : new LocalBudget(options.clock ? () => options.clock!.now() : undefined),
    sharedTokens: store?.redis ? new RedisTokenStore(store.redis, locks, store.prefix) : undefined,
    observer: options.observer,
    clock: options.clock,
  };
  const generations = new Generations(await buildGeneration(first, inputFiles(options.configFile, config, first.connectors.values()), shared));
  const reloader = new Reloader({
    generations,
    running: config,
    // Without a config file (the demo, tests) the same config is rebuilt: connectors and secrets re-read.
    async load() {
      const next = options.configFile ? loadGatewayConfig(options.configFile) : config;
      const prepared = prepare(next, where);
      return { config: next, generation: await buildGeneration(prepared, inputFiles(options.configFile, next, prepared.connectors.values()), shared) };
    },
    logger,
    reloads: metrics.configReloads,
    where: where.file,
  });
  const koa = buildApp({
    apps: () => generations.pinned().apps,
    store: { ping: () => idMap.ping(), warnings: () => store?.warnings() ?? Promise.resolve([]) },
    ...(store ? { storeKind: store.kind } : {}),
    metrics: metrics.registry,
    logger,
    requestTimeoutMs: toMilliseconds(config.server.requestTimeout),
    maxBodyBytes: config.server.maxBodyBytes,
    trustProxy: config.server.trustProxy,
    ...(config.server.publicUrl ? { publicUrl: config.server.publicUrl } : {}),
    allowedHosts: config.server.allowedHosts ?? [],
    ...(options.isDraining ? { isDraining: options.isDraining } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    logPersonalData: config.observability?.logPersonalData ?? false,
    ...(config.admin ? { admin: new AdminStatus({ tokens: config.admin.tokens.map((ref) => resolveSecret(ref, `${where.file} admin.tokens`, env)), circuitState: metrics.circuitState }) } : {}),
  });
  if (!config.server.publicUrl && !config.server.allowedHosts?.length && !/^(127\.|localhost$|::1$)/.test(config.server.host)) {
    logger.warn({ host: config.server.host }, 'server.publicUrl is not set: SCIM requests are answered only when their Host is a loopback name; set server.publicUrl to the address Entra calls');
  }
  // First of all middleware, so a request holds its generation open from its first byte to its last.
  koa.middleware.unshift(inboundMetrics(metrics), auditTrail(() => audit));
  koa.middleware.unshift((_ctx, next) => generations.pin(next));
  return {
    koa,
    metrics,
    get apps() {
      return generations.current.apps;
    },
    idMap,
    logger,
    reload: () => reloader.reload(),
    watch: (debounceMs?: number) => reloader.watch(debounceMs),
    async close() {
      await reloader.close();
      generations.closeAll();
      if (!options.transport) await transport.close();
      if (!options.idMap) await idMap.close();
      store?.memberProgress.close?.();
      await audit.close();
    },
  };
}

export async function startGateway(options: GatewayOptions & { port?: number; host?: string }): Promise<RunningGateway> {
  // The certificate is checked before anything opens: a bad pair stops start-up with the file named.
  const listener = createGatewayServer(options.config, { where: options.configFile ?? 'gateway config', env: options.env ?? process.env, logger: options.logger ?? silentLogger() });
  const gateway = await createGateway(options);
  const { server, scheme } = listener;
  server.on('request', gateway.koa.callback());
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
    reload: gateway.reload,
    watch: gateway.watch,
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
