/**
 * One app's snapshot keeping, as configured by `apps[].snapshot`: the schedule, what the status page, the
 * admin endpoint and metrics show (size, cost, age, progress, last failure), and refresh on demand. Built
 * with each config generation and stopped when the generation is replaced.
 */
import type { AppSnapshots, SnapshotState } from './core/app-snapshot.ts';
import type { DriftReport } from './core/drift.ts';
import type { ResourceKind } from './core/id-map.ts';
import type { Provisioning } from './core/provisioning.ts';
import type { RefreshOutcome } from './core/snapshot-refresh.ts';
import { listingDeadline, SnapshotSchedule, type ScheduleClock } from './core/snapshot-schedule.ts';
import { GatewayError } from './errors.ts';
import type { Logger } from './observability/logger.ts';
import type { Metrics } from './observability/metrics.ts';

export interface SnapshotSettings {
  everyMs: number;
  maxAgeMs: number;
  /** Scheduled refreshes list everything this often, and only changes in between (when the connector can). */
  fullEveryMs?: number;
}

export interface KindSnapshotStatus {
  kind: ResourceKind;
  /** The current snapshot, as this replica last made or found it. */
  current: (SnapshotState & { ageMs: number; fresh: boolean }) | null;
  /** Objects listed so far by a refresh running on this replica. */
  refreshing: { objects: number } | null;
  lastFailure: { at: string; reason: string } | null;
  /** Drift found in the current snapshot (counts only; `scimgw drift` lists the objects). */
  drift: DriftSummary | null;
}

export interface DriftSummary {
  generation: string;
  /** The snapshot's startedAt when counted: a listing of changes moves it without a new generation. */
  startedAt: number;
  counts: DriftReport['counts'];
  changedAttributes: Record<string, number>;
}

export interface SnapshotStatus {
  everyMs: number;
  maxAgeMs: number;
  kinds: KindSnapshotStatus[];
}

export class AppSnapshotKeeper {
  readonly #app: string;
  readonly #provisioning: Provisioning;
  readonly #store: AppSnapshots;
  readonly #settings: SnapshotSettings;
  readonly #kinds: ResourceKind[];
  readonly #clock: ScheduleClock;
  readonly #logger: Logger;
  readonly #metrics: Metrics;
  readonly #schedule: SnapshotSchedule;
  readonly #refreshing = new Map<ResourceKind, number>();
  readonly #failures = new Map<ResourceKind, { at: string; reason: string }>();
  readonly #drift = new Map<ResourceKind, DriftSummary>();
  readonly #driftRunning = new Set<ResourceKind>();

  constructor(options: {
    app: string;
    provisioning: Provisioning;
    store: AppSnapshots;
    settings: SnapshotSettings;
    kinds: ResourceKind[];
    clock: ScheduleClock;
    logger: Logger;
    metrics: Metrics;
  }) {
    this.#app = options.app;
    this.#provisioning = options.provisioning;
    this.#store = options.store;
    this.#settings = options.settings;
    this.#kinds = options.kinds;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#metrics = options.metrics;
    this.#schedule = new SnapshotSchedule({
      kinds: this.#kinds,
      everyMs: this.#settings.everyMs,
      clock: this.#clock,
      refresh: (kind, refresh) =>
        this.#run(kind, () =>
          this.#provisioning.refreshSnapshot(kind, {
            ...refresh,
            ...(this.#settings.fullEveryMs !== undefined ? { fullEveryMs: this.#settings.fullEveryMs } : {}),
          }),
        ),
      onProgress: (kind, objects) => this.#refreshing.set(kind, objects),
    });
  }

  get kinds(): readonly ResourceKind[] {
    return this.#kinds;
  }

  start(): void {
    this.#schedule.start();
  }

  stop(): Promise<void> {
    return this.#schedule.stop();
  }

  /** Lists the app now (the admin endpoint and `scimgw snapshot`), unless a snapshot started under `minAgeMs` ago. */
  refreshNow(
    kind: ResourceKind,
    options: { minAgeMs?: number; signal?: AbortSignal; onProgress?: (objects: number) => void } = {},
  ): Promise<RefreshOutcome> {
    const { signal, onProgress } = options;
    return this.#run(kind, () =>
      this.#provisioning.refreshSnapshot(kind, {
        minAgeMs: options.minAgeMs ?? 0,
        context: {
          deadline: listingDeadline(this.#clock.now(), this.#settings.everyMs),
          ...(signal ? { signal } : {}),
        },
        onProgress: (objects) => {
          this.#refreshing.set(kind, objects);
          onProgress?.(objects);
        },
      }),
    );
  }

  async status(): Promise<SnapshotStatus> {
    const now = this.#clock.now();
    const kinds: KindSnapshotStatus[] = [];
    for (const kind of this.#kinds) {
      const state = await this.#store.state(this.#app, kind).catch(() => undefined);
      const refreshing = this.#refreshing.get(kind);
      kinds.push({
        kind,
        current: state
          ? { ...state, ageMs: now - state.startedAt, fresh: now - state.startedAt <= this.#settings.maxAgeMs }
          : null,
        refreshing: refreshing === undefined ? null : { objects: refreshing },
        lastFailure: this.#failures.get(kind) ?? null,
        drift: this.#drift.get(kind) ?? null,
      });
    }
    return { everyMs: this.#settings.everyMs, maxAgeMs: this.#settings.maxAgeMs, kinds };
  }

  async #run(kind: ResourceKind, refresh: () => Promise<RefreshOutcome>): Promise<RefreshOutcome> {
    this.#refreshing.set(kind, 0);
    try {
      const outcome = await refresh();
      this.#failures.delete(kind);
      this.#show(kind, outcome.state);
      void this.#summarizeDrift(kind, outcome.state);
      if (outcome.refreshed)
        this.#logger.info(
          {
            app: this.#app,
            resource: kind,
            objects: outcome.state.objects,
            appCalls: outcome.state.appCalls,
            ms: outcome.state.ms,
          },
          'app snapshot refreshed',
        );
      return outcome;
    } catch (error) {
      const reason = reasonOf(error);
      this.#failures.set(kind, { at: new Date(this.#clock.now()).toISOString(), reason });
      this.#metrics.snapshotFailures.inc({ app: this.#app, resource: kind });
      this.#logger.warn({ app: this.#app, resource: kind, reason }, 'app snapshot refresh failed');
      throw error;
    } finally {
      this.#refreshing.delete(kind);
    }
  }

  /** Counts drift once per snapshot generation, in the background; the status page and metrics show it. */
  async #summarizeDrift(kind: ResourceKind, state: SnapshotState): Promise<void> {
    const counted = this.#drift.get(kind);
    if (counted?.generation === state.generation && counted.startedAt === state.startedAt) return;
    if (this.#driftRunning.has(kind)) return;
    this.#driftRunning.add(kind);
    try {
      const report = await this.#provisioning.drift(kind, { sampleLimit: 0 });
      if (!report) return;
      this.#drift.set(kind, {
        generation: state.generation,
        startedAt: state.startedAt,
        counts: report.counts,
        changedAttributes: report.changedAttributes,
      });
      for (const [drift, count] of Object.entries(report.counts))
        this.#metrics.driftObjects.set({ app: this.#app, resource: kind, drift }, count);
    } catch (error) {
      this.#logger.warn({ app: this.#app, resource: kind, reason: reasonOf(error) }, 'drift count failed');
    } finally {
      this.#driftRunning.delete(kind);
    }
  }

  #show(kind: ResourceKind, state: SnapshotState): void {
    const labels = { app: this.#app, resource: kind };
    this.#metrics.snapshotObjects.set(labels, state.objects);
    this.#metrics.snapshotAppCalls.set(labels, state.appCalls);
    this.#metrics.snapshotSeconds.set(labels, state.ms / 1000);
    this.#metrics.snapshotCompleted.set(labels, state.completedAt / 1000);
  }
}

/** What went wrong in words safe for logs and the status page: the gateway's own message, never an app's body. */
function reasonOf(error: unknown): string {
  if (error instanceof GatewayError) return `${error.status}: ${error.message}`;
  return 'internal error (see the gateway log at debug level)';
}
