/**
 * The production IdMap on Redis (standalone, Sentinel or Cluster). The map lives in Redis, not in the
 * process, so any number of replicas share it and a restart loses nothing. Writes that must agree
 * (record ↔ key ↔ app id ↔ externalId) are single Lua scripts (scripts.ts).
 */
import {
  KeyTakenError,
  normalizeKey,
  type AdoptCandidate,
  type IdMap,
  type MappingRecord,
  type NewRecord,
  type RecordChanges,
  type ReserveResult,
  type ResourceKind,
} from '../../core/id-map.ts';
import { Cluster, type Redis } from 'ioredis';
import { guarded, type RedisClient } from './connection.ts';

function prefix(base: string, app: string, kind: ResourceKind): string {
  return `${base}:{${app}:${kind}}:`;
}

const text = (value: string | null | undefined) => value ?? '';
const orNull = (value: string | undefined) => (value === undefined || value === '' ? null : value);

function parse(flat: unknown, app: string, kind: ResourceKind): MappingRecord | undefined {
  if (!Array.isArray(flat) || flat.length === 0) return undefined;
  const fields: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) fields[String(flat[i])] = String(flat[i + 1]);
  const shadow = orNull(fields.h);
  return {
    app,
    kind,
    scimId: fields.s ?? '',
    appId: orNull(fields.a),
    key: orNull(fields.k),
    externalId: orNull(fields.x),
    shadow: shadow === null ? null : (JSON.parse(shadow) as MappingRecord['shadow']),
    appHash: orNull(fields.p),
    created: fields.c ?? '',
    lastModified: fields.m ?? '',
    committed: fields.o !== '0',
    ...(fields.d === '1' ? { deprovisioned: true as const } : {}),
  };
}

/** RecordChanges as the scripts' field/value pairs. */
function changePairs(changes: RecordChanges): string[] {
  const out: string[] = [];
  if (changes.appId !== undefined) out.push('a', text(changes.appId));
  if (changes.key !== undefined)
    out.push('k', text(changes.key), 'kn', changes.key === null ? '' : normalizeKey(changes.key));
  if (changes.externalId !== undefined) out.push('x', text(changes.externalId));
  if (changes.shadow !== undefined) out.push('h', changes.shadow === null ? '' : JSON.stringify(changes.shadow));
  if (changes.appHash !== undefined) out.push('p', text(changes.appHash));
  if (changes.lastModified !== undefined) out.push('m', changes.lastModified);
  if (changes.committed !== undefined) out.push('o', changes.committed ? '1' : '0');
  if (changes.deprovisioned !== undefined) out.push('d', changes.deprovisioned ? '1' : '0');
  return out;
}

export class RedisIdMap implements IdMap {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #owned: boolean;

  /** `owned`: close() also disconnects the client. */
  constructor(redis: RedisClient, options: { prefix?: string; owned?: boolean } = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'scimgw';
    this.#owned = options.owned ?? true;
  }

  #p(app: string, kind: ResourceKind): string {
    return prefix(this.#prefix, app, kind);
  }

  /** A script's routing key (the record counter, in the app's hash slot) and its prefix argument. */
  #k(app: string, kind: ResourceKind): [string, string] {
    const p = this.#p(app, kind);
    return [`${p}n`, p];
  }

  async get(app: string, kind: ResourceKind, scimId: string): Promise<MappingRecord | undefined> {
    return parse(await guarded(() => this.#redis.idmapGet(...this.#k(app, kind), scimId)), app, kind);
  }

  async getByAppIds(app: string, kind: ResourceKind, appIds: readonly string[]): Promise<Map<string, MappingRecord>> {
    const out = new Map<string, MappingRecord>();
    if (!appIds.length) return out;
    const rows = (await guarded(() => this.#redis.idmapGetBy(...this.#k(app, kind), 'a', ...appIds))) as unknown[];
    rows.forEach((row, index) => {
      const record = parse(row, app, kind);
      if (record) out.set(appIds[index]!, record);
    });
    return out;
  }

  async findByKey(app: string, kind: ResourceKind, key: string): Promise<MappingRecord | undefined> {
    const rows = (await guarded(() =>
      this.#redis.idmapGetBy(...this.#k(app, kind), 'k', normalizeKey(key)),
    )) as unknown[];
    return parse(rows[0], app, kind);
  }

  async findByExternalId(app: string, kind: ResourceKind, externalId: string): Promise<MappingRecord[]> {
    const rows = (await guarded(() => this.#redis.idmapByExternalId(...this.#k(app, kind), externalId))) as unknown[];
    return rows.map((row) => parse(row, app, kind)).filter((record): record is MappingRecord => record !== undefined);
  }

  async reserve(input: NewRecord): Promise<ReserveResult> {
    const record: MappingRecord = { ...input, appId: input.appId ?? null };
    const result = (await guarded(() =>
      this.#redis.idmapReserve(
        ...this.#k(record.app, record.kind),
        record.scimId,
        text(record.appId),
        text(record.key),
        record.key === null ? '' : normalizeKey(record.key),
        text(record.externalId),
        record.shadow === null ? '' : JSON.stringify(record.shadow),
        text(record.appHash),
        record.created,
        record.lastModified,
        record.committed ? '1' : '0',
      ),
    )) as [number, unknown?];
    if (result[0] === 1) return { ok: true, record };
    return { ok: false, existing: parse(result[1], record.app, record.kind)! };
  }

  async update(
    app: string,
    kind: ResourceKind,
    scimId: string,
    changes: RecordChanges,
  ): Promise<MappingRecord | undefined> {
    const result = (await guarded(() =>
      this.#redis.idmapUpdate(...this.#k(app, kind), scimId, ...changePairs(changes)),
    )) as [number, unknown?];
    if (result[0] === -1) return undefined;
    if (result[0] === 0) throw new KeyTakenError(parse(result[1], app, kind)!);
    return parse(result[1], app, kind);
  }

  async updateIf(
    app: string,
    kind: ResourceKind,
    scimId: string,
    expected: Pick<MappingRecord, 'shadow' | 'appHash'>,
    changes: RecordChanges,
  ): Promise<boolean> {
    const shadow = expected.shadow === null ? '' : JSON.stringify(expected.shadow);
    const result = (await guarded(() =>
      this.#redis.idmapUpdateIf(...this.#k(app, kind), scimId, shadow, text(expected.appHash), ...changePairs(changes)),
    )) as [number, unknown?];
    return result[0] === 1;
  }

  async adopt(app: string, kind: ResourceKind, candidates: readonly AdoptCandidate[]): Promise<MappingRecord[]> {
    if (!candidates.length) return [];
    const args = candidates.flatMap((c) => [
      c.scimId,
      c.appId,
      text(c.key),
      c.key === null ? '' : normalizeKey(c.key),
      text(c.externalId),
      c.created,
    ]);
    const rows = (await guarded(() => this.#redis.idmapAdopt(...this.#k(app, kind), ...args))) as unknown[];
    return rows.map((row) => parse(row, app, kind)!);
  }

  async delete(app: string, kind: ResourceKind, scimId: string): Promise<boolean> {
    return (await guarded(() => this.#redis.idmapDelete(...this.#k(app, kind), scimId))) === 1;
  }

  async count(app: string, kind: ResourceKind): Promise<number> {
    return Number((await guarded(() => this.#redis.get(`${this.#p(app, kind)}n`))) ?? 0);
  }

  async *dump(): AsyncGenerator<MappingRecord> {
    const pattern = `${this.#prefix}:{*}:r:*`;
    // A cluster spreads keys over its masters; each is scanned.
    const nodes: Redis[] = this.#redis instanceof Cluster ? this.#redis.nodes('master') : [this.#redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, keys] = await guarded(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
        cursor = next;
        for (const key of keys) {
          const match = /^.*:\{(.+):(User|Group)\}:r:(.+)$/.exec(key);
          if (!match) continue;
          const record = await this.get(match[1]!, match[2] as ResourceKind, match[3]!);
          if (record) yield record;
        }
      } while (cursor !== '0');
    }
  }

  async ping(): Promise<void> {
    await guarded(() => this.#redis.ping());
  }

  async close(): Promise<void> {
    if (this.#owned) this.#redis.disconnect();
  }
}
