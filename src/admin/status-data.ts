/**
 * The data behind /admin/status and /admin/status.json, gathered per request from what the gateway
 * already keeps: the connector of each app, its circuit state as exported in scimgw_circuit_state, its
 * pacer's queue and budget, and the request log of this replica.
 */
import type { SnapshotStatus } from '../app-snapshots.ts';
import type { ResourceKind } from '../core/id-map.ts';
import type { Gauge } from 'prom-client';
import type { RecentError, RequestLog, TrafficSummary } from './request-log.ts';

export type Health = 'closed' | 'half-open' | 'open' | 'unknown';

/** What the page needs of an app's pacer (outbound/pacer.ts). */
export interface PacerView {
  readonly waiting: number;
  readonly inFlight: number;
  readonly drainEstimateMs: number;
}

/** What the page needs of one served app; the gateway's app entries carry it. */
export interface StatusSource {
  id: string;
  connector: { id: string; manifest: { metadata: { version: string } } };
  pacer?: PacerView;
  /** The app's outbound budget; absent when pacing is off (only the concurrency cap applies). */
  budget?: { requests: number; perMs: number };
  /** Attribute names Entra wrote that the app does not hold (observability/attribute-report.ts). */
  unmapped?: () => { User: string[]; Group: string[] };
  /** The app snapshot's keeper, when the app has one (app-snapshots.ts). */
  snapshots?: {
    readonly kinds: readonly ResourceKind[];
    status(): Promise<SnapshotStatus>;
    refreshNow(kind: ResourceKind): Promise<unknown>;
  };
}

export interface AppStatus {
  id: string;
  connector: { id: string; version: string };
  health: Health;
  traffic: Omit<TrafficSummary, 'lastErrors'>;
  queue: { waiting: number; inFlight: number; drainEstimateMs: number } | null;
  budget: { requests: number; perMs: number } | null;
  lastErrors: RecentError[];
  /** Attributes Entra sends that the app never receives (kept and returned by the gateway). */
  unmappedAttributes: { User: string[]; Group: string[] };
  /** The app snapshot: size, cost, age, a refresh in progress and the last failure; null when not configured. */
  snapshot: SnapshotStatus | null;
}

export interface GatewayStatus {
  generatedAt: string;
  apps: AppStatus[];
}

const HEALTH_BY_VALUE: Record<number, Health> = { 0: 'closed', 1: 'half-open', 2: 'open' };

export async function gatherStatus(
  apps: Iterable<StatusSource>,
  log: RequestLog,
  circuitState: Gauge<'app'>,
): Promise<GatewayStatus> {
  const gauge = await circuitState.get();
  const stateOf = new Map(gauge.values.map((sample) => [String(sample.labels.app), sample.value]));
  const list: AppStatus[] = [];
  for (const app of apps) {
    const { lastErrors, ...traffic } = log.summary(app.id);
    const value = stateOf.get(app.id);
    list.push({
      id: app.id,
      connector: { id: app.connector.id, version: app.connector.manifest.metadata.version },
      health: value === undefined ? 'unknown' : (HEALTH_BY_VALUE[value] ?? 'unknown'),
      traffic,
      queue: app.pacer
        ? {
            waiting: app.pacer.waiting,
            inFlight: app.pacer.inFlight,
            drainEstimateMs: Math.round(app.pacer.drainEstimateMs),
          }
        : null,
      budget: app.budget ? { requests: app.budget.requests, perMs: app.budget.perMs } : null,
      lastErrors,
      unmappedAttributes: app.unmapped?.() ?? { User: [], Group: [] },
      snapshot: app.snapshots ? await app.snapshots.status() : null,
    });
  }
  return { generatedAt: new Date().toISOString(), apps: list };
}
