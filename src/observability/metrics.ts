/**
 * Every metric in one place (prom-client), one registry per gateway. Names follow the Prometheus guide
 * (scimgw_ prefix, base units, _total on counters); labels never carry user identifiers.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  outboundCalls: Counter<'app' | 'operation' | 'status_class'>;
  outboundDuration: Histogram<'app' | 'operation'>;
  outboundRetries: Counter<'app'>;
  rateLimited: Counter<'app'>;
  pauseCapped: Counter<'app'>;
  queueWait: Histogram<'app'>;
  queueDepth: Gauge<'app'>;
  budgetGranted: Counter<'app'>;
  circuitState: Gauge<'app'>;
  configReloads: Counter<'result'>;
  inboundRequests: Counter<'app' | 'resource' | 'operation' | 'status'>;
  inboundDuration: Histogram<'app' | 'resource' | 'operation'>;
  storeDuration: Histogram<'operation'>;
  unmappedAttributes: Gauge<'app' | 'resource'>;
  unknownMembers: Counter<'app'>;
  snapshotObjects: Gauge<'app' | 'resource'>;
  snapshotAppCalls: Gauge<'app' | 'resource'>;
  snapshotSeconds: Gauge<'app' | 'resource'>;
  snapshotCompleted: Gauge<'app' | 'resource'>;
  snapshotFailures: Counter<'app' | 'resource'>;
  driftObjects: Gauge<'app' | 'resource' | 'drift'>;
}

type OutboundMetrics = Pick<
  Metrics,
  | 'outboundCalls'
  | 'outboundDuration'
  | 'outboundRetries'
  | 'rateLimited'
  | 'pauseCapped'
  | 'queueWait'
  | 'queueDepth'
  | 'budgetGranted'
  | 'circuitState'
>;

/** What the per-app clients report: calls, retries, waits for the budget, breakers. */
function outboundMetrics(registers: Registry[]): OutboundMetrics {
  return {
    outboundCalls: new Counter({
      name: 'scimgw_outbound_requests_total',
      help: 'Calls to apps, by outcome',
      labelNames: ['app', 'operation', 'status_class'],
      registers,
    }),
    outboundDuration: new Histogram({
      name: 'scimgw_outbound_request_duration_seconds',
      help: 'Duration of calls to apps',
      labelNames: ['app', 'operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    outboundRetries: new Counter({
      name: 'scimgw_outbound_retries_total',
      help: 'Calls to apps repeated after a 429, 5xx or network error',
      labelNames: ['app'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'scimgw_outbound_rate_limited_total',
      help: '429 answers received from apps',
      labelNames: ['app'],
      registers,
    }),
    pauseCapped: new Counter({
      name: 'scimgw_outbound_pause_capped_total',
      help: 'Waits an app asked for (Retry-After, rate-limit reset) that were longer than maxPause and cut to it',
      labelNames: ['app'],
      registers,
    }),
    queueWait: new Histogram({
      name: 'scimgw_rate_limit_wait_seconds',
      help: "Time a call waited for a concurrency slot and the app's budget",
      labelNames: ['app'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    queueDepth: new Gauge({
      name: 'scimgw_queue_depth',
      help: 'Calls waiting for an app on this replica',
      labelNames: ['app'],
      registers,
    }),
    budgetGranted: new Counter({
      name: 'scimgw_rate_budget_used_total',
      help: "Calls granted by the app's shared rate budget",
      labelNames: ['app'],
      registers,
    }),
    circuitState: new Gauge({
      name: 'scimgw_circuit_state',
      help: 'Circuit breaker per app: 0 closed, 1 half-open, 2 open',
      labelNames: ['app'],
      registers,
    }),
  };
}

type SnapshotMetrics = Pick<
  Metrics,
  'snapshotObjects' | 'snapshotAppCalls' | 'snapshotSeconds' | 'snapshotCompleted' | 'snapshotFailures' | 'driftObjects'
>;

/** The app snapshot each replica last made or found: its size, cost and time. */
function snapshotMetrics(registers: Registry[]): SnapshotMetrics {
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['app', 'resource'] as const, registers });
  return {
    snapshotObjects: gauge('scimgw_snapshot_objects', 'Objects in the current app snapshot'),
    snapshotAppCalls: gauge('scimgw_snapshot_app_calls', 'App calls (pages) the current snapshot took to list'),
    snapshotSeconds: gauge('scimgw_snapshot_duration_seconds', 'How long listing the current snapshot took'),
    snapshotCompleted: gauge(
      'scimgw_snapshot_completed_timestamp_seconds',
      'When the current snapshot was completed (its age is time() minus this)',
    ),
    snapshotFailures: new Counter({
      name: 'scimgw_snapshot_failures_total',
      help: 'Snapshot refreshes that failed (reads fall back to the app once the snapshot is older than maxAge)',
      labelNames: ['app', 'resource'],
      registers,
    }),
    driftObjects: new Gauge({
      name: 'scimgw_drift_objects',
      help: 'Drift in the current app snapshot: orphans (app accounts Entra does not manage), vanished (mapped objects gone from the app), changed (changed in the app since Entra wrote them)',
      labelNames: ['app', 'resource', 'drift'],
      registers,
    }),
  };
}

export function createMetrics(options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'scimgw_' });
  const registers = [registry];
  return {
    registry,
    ...outboundMetrics(registers),
    configReloads: new Counter({
      name: 'scimgw_config_reloads_total',
      help: 'Config reloads, applied or refused (the previous config kept serving)',
      labelNames: ['result'],
      registers,
    }),
    inboundRequests: new Counter({
      name: 'scimgw_inbound_requests_total',
      help: 'SCIM requests received, by app, resource type, operation and status',
      labelNames: ['app', 'resource', 'operation', 'status'],
      registers,
    }),
    inboundDuration: new Histogram({
      name: 'scimgw_inbound_request_duration_seconds',
      help: 'Duration of SCIM requests',
      labelNames: ['app', 'resource', 'operation'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    unmappedAttributes: new Gauge({
      name: 'scimgw_unmapped_attributes',
      help: 'Distinct attribute names Entra wrote that the app does not hold (kept and read back, never sent); the status page lists them',
      labelNames: ['app', 'resource'],
      registers,
    }),
    unknownMembers: new Counter({
      name: 'scimgw_unknown_members_total',
      help: 'Group member ids that named no user the gateway knows, skipped',
      labelNames: ['app'],
      registers,
    }),
    ...snapshotMetrics(registers),
    storeDuration: new Histogram({
      name: 'scimgw_store_duration_seconds',
      help: 'Duration of id map operations',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    }),
  };
}
