/**
 * One generation of apps: the runtime, pacer, breaker and provisioning built for each app of a config. A
 * reload builds the next generation beside the current one (config/reload.ts); what every generation
 * shares (store, transport, metrics, rate budgets) is opened once by gateway.ts.
 */
import type { GatewayApp } from './app.ts';
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
  attributes: AttributeReport;
  metrics: Metrics;
  idMap: IdMap;
  locks: LockManager;
  rateBudget: RateBudget;
  sharedTokens: RedisTokenStore | undefined;
  observer: CallObserver | undefined;
  clock: Clock | undefined;
}

export interface AppGeneration extends Generation {
  apps: Map<string, GatewayApp>;
}

/** Builds the apps of one config: a runtime, pacer, breaker and provisioning per app. */
export async function buildGeneration(prepared: Prepared, files: string[], shared: Shared): Promise<AppGeneration> {
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
