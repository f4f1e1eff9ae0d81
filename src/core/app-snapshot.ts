/**
 * The app snapshot: what the app held at its last listing, per app and resource kind, kept in the id map's
 * store. Entra reads before it writes (a match query before each create, a read before each update); while
 * the snapshot is fresh those reads are answered from it, so the app's rate budget goes to writes.
 *
 * A refresh writes a new generation beside the current one and makes it current when the listing ends, so
 * readers never see half a listing. Writes made through the gateway land in every generation, and each
 * entry carries the time its information was read: a listing page read before a write cannot overwrite
 * what the write stored, and a deletion is kept as a tombstone until the generation is replaced.
 *
 * Implementations: store/embedded (SQLite), store/redis, and LocalAppSnapshots (one process, tests); all
 * pass test/store/snapshot-contract.ts. None holds a snapshot in memory outside tests.
 */
import type { ScimResource } from '../scim/schema/types.ts';
import { normalizeKey, type ResourceKind } from './id-map.ts';

export interface SnapshotEntry {
  appId: string;
  /**
   * The connector's SCIM form of the app object (AppObject.scim); null when the snapshot no longer knows
   * it: deleted through the gateway, or changed by a call whose answer did not say how (read the app).
   */
  scim: ScimResource | null;
  /** userName / displayName, normalised (normalizeKey). */
  key: string | null;
  externalId: string | null;
  /** The work e-mail (or the primary, or the only one), lower case: Entra's third matching attribute. */
  email: string | null;
  /** When this information was read from the app or written to it (ms since the epoch). */
  at: number;
}

export type SnapshotIndex = 'key' | 'externalId' | 'email';

export interface SnapshotStats {
  objects: number;
  appCalls: number;
  /** Wall time of the listing. */
  ms: number;
}

export interface SnapshotState extends SnapshotStats {
  generation: string;
  /** When the last listing (full or of changes) started: nothing in the snapshot is older. */
  startedAt: number;
  completedAt: number;
  /** When the generation's full listing started; listings of changes since then cannot see deletions. */
  fullStartedAt: number;
}

export interface AppSnapshots {
  /** The current (completed) snapshot, if any. */
  state(app: string, kind: ResourceKind): Promise<SnapshotState | undefined>;
  /** Starts a generation; it is invisible to reads until completed. Drops an earlier unfinished one. */
  begin(app: string, kind: ResourceKind, generation: string, startedAt: number): Promise<void>;
  /** Listing results for a generation being written; entries a later write already touched are kept. */
  fill(app: string, kind: ResourceKind, generation: string, entries: readonly SnapshotEntry[]): Promise<void>;
  /** Makes the generation current and drops the one it replaces. */
  complete(
    app: string,
    kind: ResourceKind,
    generation: string,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void>;
  /**
   * After a listing of changes merged into the current generation (with put): it is now as new as
   * `startedAt`. Ignored when `generation` is no longer current.
   */
  advance(
    app: string,
    kind: ResourceKind,
    generation: string,
    startedAt: number,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void>;
  /** Drops an unfinished generation (the listing failed). */
  abandon(app: string, kind: ResourceKind, generation: string): Promise<void>;
  /**
   * Writes through the gateway, or a page of a listing of changes: applied to the current and any unfinished
   * generation, newest information winning, in one transaction.
   */
  put(app: string, kind: ResourceKind, ...entries: SnapshotEntry[]): Promise<void>;
  /** The current generation's entry (tombstones included) for an app id. */
  get(app: string, kind: ResourceKind, appId: string): Promise<SnapshotEntry | undefined>;
  /** Live entries of the current generation whose index equals `value` (already normalised). */
  find(app: string, kind: ResourceKind, index: SnapshotIndex, value: string): Promise<SnapshotEntry[]>;
  /** Live entries of the current generation in app id order, in batches, for drift. */
  entries(app: string, kind: ResourceKind, batchSize?: number): AsyncIterable<SnapshotEntry[]>;
  /** Live entries of the current generation: `count` of them from position `offset` (0-based) in app id order. */
  page(app: string, kind: ResourceKind, offset: number, count: number): Promise<SnapshotEntry[]>;
  /** How many live entries the current generation holds (what a listing would return now). */
  count(app: string, kind: ResourceKind): Promise<number>;
}

/** The entry for an app object's SCIM form read or written at `at`. */
export function snapshotEntry(kind: ResourceKind, appId: string, scim: ScimResource | null, at: number): SnapshotEntry {
  if (!scim) return { appId, scim: null, key: null, externalId: null, email: null, at };
  const key = scim[kind === 'User' ? 'userName' : 'displayName'];
  return {
    appId,
    scim,
    key: typeof key === 'string' && key !== '' ? normalizeKey(key) : null,
    externalId: typeof scim.externalId === 'string' && scim.externalId !== '' ? scim.externalId : null,
    email: kind === 'User' ? workEmail(scim.emails) : null,
    at,
  };
}

function workEmail(emails: unknown): string | null {
  if (!Array.isArray(emails)) return null;
  const list = emails.filter(
    (item): item is { value: string; type?: unknown; primary?: unknown } =>
      !!item && typeof item === 'object' && typeof (item as { value?: unknown }).value === 'string',
  );
  const pick =
    list.find((item) => typeof item.type === 'string' && item.type.toLowerCase() === 'work') ??
    list.find((item) => item.primary === true) ??
    (list.length === 1 ? list[0] : undefined);
  return pick && pick.value !== '' ? pick.value.toLowerCase() : null;
}

/** In one process: for tests and the CLI's dry runs. */
export class LocalAppSnapshots implements AppSnapshots {
  readonly #states = new Map<string, SnapshotState>();
  readonly #generations = new Map<string, Map<string, SnapshotEntry>>();
  /** app\0kind → the generation being written. */
  readonly #pending = new Map<string, { generation: string; startedAt: number }>();

  async state(app: string, kind: ResourceKind): Promise<SnapshotState | undefined> {
    const state = this.#states.get(`${app}\u0000${kind}`);
    return state ? { ...state } : undefined;
  }

  async begin(app: string, kind: ResourceKind, generation: string, startedAt: number): Promise<void> {
    const scope = `${app}\u0000${kind}`;
    const earlier = this.#pending.get(scope);
    if (earlier) this.#generations.delete(earlier.generation);
    this.#pending.set(scope, { generation, startedAt });
    this.#generations.set(generation, new Map());
  }

  async fill(app: string, kind: ResourceKind, generation: string, entries: readonly SnapshotEntry[]): Promise<void> {
    const target = this.#generations.get(generation);
    if (!target || this.#pending.get(`${app}\u0000${kind}`)?.generation !== generation) return;
    for (const entry of entries) keepNewer(target, entry);
  }

  async complete(
    app: string,
    kind: ResourceKind,
    generation: string,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    const scope = `${app}\u0000${kind}`;
    const pending = this.#pending.get(scope);
    if (pending?.generation !== generation) return;
    this.#pending.delete(scope);
    const previous = this.#states.get(scope);
    if (previous) this.#generations.delete(previous.generation);
    this.#states.set(scope, {
      generation,
      startedAt: pending.startedAt,
      completedAt,
      fullStartedAt: pending.startedAt,
      ...stats,
    });
  }

  async advance(
    app: string,
    kind: ResourceKind,
    generation: string,
    startedAt: number,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    const state = this.#states.get(`${app}\u0000${kind}`);
    if (state?.generation !== generation) return;
    Object.assign(state, { startedAt, completedAt, ...stats });
  }

  async abandon(app: string, kind: ResourceKind, generation: string): Promise<void> {
    const scope = `${app}\u0000${kind}`;
    if (this.#pending.get(scope)?.generation !== generation) return;
    this.#pending.delete(scope);
    this.#generations.delete(generation);
  }

  async put(app: string, kind: ResourceKind, ...entries: SnapshotEntry[]): Promise<void> {
    const scope = `${app}\u0000${kind}`;
    for (const generation of [this.#states.get(scope)?.generation, this.#pending.get(scope)?.generation]) {
      const target = generation ? this.#generations.get(generation) : undefined;
      if (target) for (const entry of entries) keepNewer(target, entry);
    }
  }

  async get(app: string, kind: ResourceKind, appId: string): Promise<SnapshotEntry | undefined> {
    const entry = this.#current(app, kind)?.get(appId);
    return entry ? structuredClone(entry) : undefined;
  }

  async find(app: string, kind: ResourceKind, index: SnapshotIndex, value: string): Promise<SnapshotEntry[]> {
    return [...(this.#current(app, kind)?.values() ?? [])]
      .filter((entry) => entry.scim && entry[index] === value)
      .map((entry) => structuredClone(entry));
  }

  async *entries(app: string, kind: ResourceKind, batchSize = 500): AsyncIterable<SnapshotEntry[]> {
    const live = this.#live(app, kind);
    for (let index = 0; index < live.length; index += batchSize)
      yield structuredClone(live.slice(index, index + batchSize));
  }

  async page(app: string, kind: ResourceKind, offset: number, count: number): Promise<SnapshotEntry[]> {
    return structuredClone(this.#live(app, kind).slice(offset, offset + count));
  }

  async count(app: string, kind: ResourceKind): Promise<number> {
    return this.#live(app, kind).length;
  }

  #live(app: string, kind: ResourceKind): SnapshotEntry[] {
    return [...(this.#current(app, kind)?.values() ?? [])]
      .filter((entry) => entry.scim)
      .sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
  }

  #current(app: string, kind: ResourceKind): Map<string, SnapshotEntry> | undefined {
    const state = this.#states.get(`${app}\u0000${kind}`);
    return state ? this.#generations.get(state.generation) : undefined;
  }
}

/** Copies in and out, as a real store would: a caller changing what it read changes nothing stored. */
function keepNewer(target: Map<string, SnapshotEntry>, entry: SnapshotEntry): void {
  const existing = target.get(entry.appId);
  if (!existing || existing.at <= entry.at) target.set(entry.appId, structuredClone(entry));
}
