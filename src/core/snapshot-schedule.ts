/**
 * Keeps an app's snapshots no older than `every`: each replica looks a few times per period and refreshes
 * when the current snapshot is due; the refresh's lock makes one replica list while the others find the
 * result. Stops (and cancels a listing in progress) when the app's config generation is replaced.
 */
import type { ResourceKind } from './id-map.ts';
import type { RefreshOptions, RefreshOutcome } from './snapshot-refresh.ts';

/** The time the schedule waits on (outbound/clock.ts's Clock fits). */
export interface ScheduleClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface SnapshotScheduleOptions {
  kinds: readonly ResourceKind[];
  everyMs: number;
  /** Refreshes and reports its own outcome (a failure is tried again at the next look). */
  refresh(kind: ResourceKind, options: RefreshOptions): Promise<RefreshOutcome>;
  clock: ScheduleClock;
  onProgress?: (kind: ResourceKind, objects: number) => void;
}

/** A listing may take longer than a SCIM request: its deadline is a period away, and a quarter of an hour at least. */
export function listingDeadline(now: number, everyMs: number): number {
  return now + Math.max(everyMs, 15 * 60_000);
}

export class SnapshotSchedule {
  readonly #options: SnapshotScheduleOptions;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;

  constructor(options: SnapshotScheduleOptions) {
    this.#options = options;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Stops looking and cancels a listing in progress; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error('The snapshot schedule stopped'));
    await this.#running;
  }

  /** How long between looks: often enough that a due refresh starts within a quarter of the period. */
  get pollMs(): number {
    return Math.min(60_000, Math.max(1_000, this.#options.everyMs / 4));
  }

  async #loop(): Promise<void> {
    const { kinds, everyMs, clock } = this.#options;
    const refresh = (kind: ResourceKind, options: RefreshOptions) => this.#options.refresh(kind, options);
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      for (const kind of kinds) {
        if (signal.aborted) return;
        try {
          await refresh(kind, {
            minAgeMs: everyMs,
            context: { deadline: listingDeadline(clock.now(), everyMs), signal },
            ...(this.#options.onProgress ? { onProgress: (n: number) => this.#options.onProgress!(kind, n) } : {}),
          });
        } catch {
          // reported by refresh; the next look tries again
        }
      }
      try {
        await clock.sleep(this.pollMs, signal);
      } catch {
        return;
      }
    }
  }
}
