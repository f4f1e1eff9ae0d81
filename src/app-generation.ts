/**
 * One generation of apps: the runtime, pacer, breaker and provisioning built for each app of a config. A
 * reload builds the next generation beside the current one (config/reload.ts); what every generation
 * shares (store, transport, metrics, rate budgets) is opened once by gateway.ts.
 */
import type { GatewayApp } from './app.ts';
import { AppSnapshotKeeper, type SnapshotSettings } from './app-snapshots.ts';
import { toMilliseconds } from './config/duration.ts';
import type { GatewayConfig } from './config/schema.ts';
import type { AppSnapshots } from './core/app-snapshot.ts';
import type { Logger } from './observability/logger.ts';
import { systemClock } from './outbound/clock.ts';
import type { CallObserver } from './connectors/caller.ts';
import { ConnectorRuntime } from './connectors/runtime.ts';
import { outboundPolicy } from './connectors/outbound-policy.ts';
import { withBucketOverrides, type Prepared } from './config/prepare-apps.ts';
import type { Generation } from './config/reload.ts';
import type { IdMap, LockManager } from './core/id-map.ts';
import type { MemberProgress } from './core/member-progress.ts';
import { Provisioning } from './core/provisioning.ts';
import { TokenSet } from './http/middleware/inbound-auth.ts';
import type { AttributeReport } from './observability/attribute-report.ts';
import type { Metrics } from './observability/metrics.ts';
import type { RateBudget } from './outbound/budget.ts';
import type { Clock } from './outbound/clock.ts';
import type { Transport } from './outbound/transport.ts';
import type { RedisTokenStore } from './store/redis/redis-tokens.ts';

/** What every generation of apps shares: the store, the outbound transport, metrics and rate budgets. */
export interface Shared {
  transport: Transport;
  memberProgress: MemberProgress;
  snapshots: AppSnapshots;
  snapshotSchedules: boolean;
  logger: Logger;
  attributes: AttributeReport;
  metrics: Metrics;
  idMap: IdMap;
  locks: LockManager;
  rateBudget: RateBudget;
  sharedTokens: RedisTokenStore | undefined;
  observer: CallObserver | undefined;
  clock: Clock | undefined;
}

/** `apps[].snapshot` in milliseconds; maxAge defaults to twice the period, fullEvery to a day. */
function snapshotSettings(config: GatewayConfig['apps'][number]['snapshot']): SnapshotSettings | undefined {
  if (!config) return undefined;
  const everyMs = toMilliseconds(config.every);
  return {
    everyMs,
    maxAgeMs: config.maxAge === undefined ? 2 * everyMs : toMilliseconds(config.maxAge),
    fullEveryMs: toMilliseconds(config.fullEvery ?? '24h'),
  };
}

export interface AppGeneration extends Generation {
  apps: Map<string, GatewayApp>;
}

/** Builds the apps of one config: a runtime, pacer, breaker and provisioning per app. */
export async function buildGeneration(prepared: Prepared, files: string[], shared: Shared): Promise<AppGeneration> {
  const { metrics } = shared;
  const apps = new Map<string, GatewayApp>();
  const runtimes: ConnectorRuntime[] = [];
  const keepers: AppSnapshotKeeper[] = [];
  const close = () => {
    for (const keeper of keepers) void keeper.stop();
    for (const runtime of runtimes) runtime.close();
  };
  try {
    for (const entry of prepared.config.apps) {
      const connector = withBucketOverrides(prepared.connectors.get(entry.connector)!, entry);
      const { tokens, settings, secrets } = prepared.parts.get(entry.id)!;
      const schema = prepared.schemas.get(entry.id)!;
      const policy = outboundPolicy(connector, entry);
      const runtime = await ConnectorRuntime.create(
        connector,
        { config: settings, secrets, customFields: schema.customFields },
        {
          transport: shared.transport,
          policy,
          budget: shared.rateBudget,
          ...(shared.sharedTokens ? { sharedTokens: { store: shared.sharedTokens, key: entry.id } } : {}),
          metrics,
          ...(shared.observer ? { observer: shared.observer } : {}),
          ...(shared.clock ? { clock: shared.clock } : {}),
        },
      );
      runtimes.push(runtime);
      const snapshot = snapshotSettings(entry.snapshot);
      const provisioning = new Provisioning({
        app: entry.id,
        connector: runtime,
        idMap: shared.idMap,
        locks: shared.locks,
        resourceTypes: schema.resourceTypes,
        memberProgress: shared.memberProgress,
        events: shared.attributes.eventsFor(entry.id),
        lifecycle: { onDelete: entry.onDelete ?? 'delete', adoptExisting: entry.adoptExisting ?? true },
        ...(snapshot ? { snapshots: { store: shared.snapshots, maxAgeMs: snapshot.maxAgeMs } } : {}),
        ...(shared.clock ? { now: () => new Date(shared.clock!.now()) } : {}),
      });
      const keeper = snapshot
        ? new AppSnapshotKeeper({
            app: entry.id,
            provisioning,
            store: shared.snapshots,
            settings: snapshot,
            kinds: (['User', 'Group'] as const).filter((kind) => runtime.supports(kind)),
            clock: shared.clock ?? systemClock,
            logger: shared.logger,
            metrics,
          })
        : undefined;
      if (keeper) keepers.push(keeper);
      apps.set(entry.id, {
        id: entry.id,
        connector,
        resourceTypes: schema.resourceTypes,
        attributes: Object.fromEntries(
          (['User', 'Group'] as const)
            .filter((kind) => runtime.supports(kind))
            .map((kind) => [kind, runtime.mappedAttributes(kind)]),
        ),
        tokens: new TokenSet(tokens),
        ...prepared.auth.get(entry.id),
        pacer: runtime.pacer,
        unmapped: () => shared.attributes.unmapped(entry.id),
        ...(policy.budget ? { budget: policy.budget } : {}),
        provisioning,
        ...(keeper ? { snapshots: keeper } : {}),
      });
    }
    if (shared.snapshotSchedules) for (const keeper of keepers) keeper.start();
  } catch (error) {
    close();
    throw error;
  }
  return { apps, files, close };
}
