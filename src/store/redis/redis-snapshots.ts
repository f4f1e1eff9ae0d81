/**
 * App snapshots on Redis, in the hash slot of the app's records for that kind. Layout under
 * B = "<prefix>:{app:kind}:snap":
 *   B              hash: current, startedAt, completedAt, objects, appCalls, ms, pending, pendingStarted
 *   B:<gen>:e      hash: app id → entry JSON {at, key, externalId, email, scim}
 *   B:<gen>:x      sorted set (all scores 0, read by lex range): "k\0<key>\0<appId>", "x\0<externalId>\0<appId>",
 *                  "m\0<email>\0<appId>" for the indexes, "i\0<appId>" for each live entry (paging order)
 * Writes are one Lua script, so an entry and its index members always agree and the newer of two writes
 * wins whichever lands last. Replaced generations are UNLINKed (freed in the background).
 */
import type {
  AppSnapshots,
  SnapshotEntry,
  SnapshotIndex,
  SnapshotState,
  SnapshotStats,
} from '../../core/app-snapshot.ts';
import type { ResourceKind } from '../../core/id-map.ts';
import type { ScimResource } from '../../scim/schema/types.ts';
import { guarded, type RedisClient } from './connection.ts';

/** KEYS[1] = B; ARGV: mode ('fill' | 'put'), generation (fill only, else ''), entry JSON... */
const SNAPSHOT_WRITE = `
local B = KEYS[1]
local targets = {}
if ARGV[1] == 'fill' then
  if redis.call('HGET', B, 'pending') == ARGV[2] then targets[1] = ARGV[2] end
else
  local current = redis.call('HGET', B, 'current')
  local pending = redis.call('HGET', B, 'pending')
  if current then targets[#targets + 1] = current end
  if pending then targets[#targets + 1] = pending end
end
local function members(id, entry)
  local out = {}
  if entry.scim == cjson.null or entry.scim == nil then return out end
  out[#out + 1] = 'i\\0' .. id
  if type(entry.key) == 'string' then out[#out + 1] = 'k\\0' .. entry.key .. '\\0' .. id end
  if type(entry.externalId) == 'string' then out[#out + 1] = 'x\\0' .. entry.externalId .. '\\0' .. id end
  if type(entry.email) == 'string' then out[#out + 1] = 'm\\0' .. entry.email .. '\\0' .. id end
  return out
end
for _, gen in ipairs(targets) do
  local E, X = B .. ':' .. gen .. ':e', B .. ':' .. gen .. ':x'
  for i = 3, #ARGV do
    local entry = cjson.decode(ARGV[i])
    local id = entry.appId
    local old = redis.call('HGET', E, id)
    local keep = false
    if old then
      local previous = cjson.decode(old)
      if previous.at > entry.at then keep = true
      else for _, m in ipairs(members(id, previous)) do redis.call('ZREM', X, m) end end
    end
    if not keep then
      redis.call('HSET', E, id, ARGV[i])
      for _, m in ipairs(members(id, entry)) do redis.call('ZADD', X, 0, m) end
    end
  end
end
return #targets`;

/** KEYS[1] = B; ARGV: generation, startedAt, completedAt, objects, appCalls, ms: a listing of changes merged. */
const SNAPSHOT_ADVANCE = `
local B = KEYS[1]
if redis.call('HGET', B, 'current') ~= ARGV[1] then return 0 end
redis.call('HSET', B, 'startedAt', ARGV[2], 'completedAt', ARGV[3], 'objects', ARGV[4], 'appCalls', ARGV[5], 'ms', ARGV[6])
return 1`;

/** KEYS[1] = B; ARGV: generation, completedAt, objects, appCalls, ms → the generation replaced, or false. */
const SNAPSHOT_COMPLETE = `
local B = KEYS[1]
if redis.call('HGET', B, 'pending') ~= ARGV[1] then return false end
local previous = redis.call('HGET', B, 'current')
local started = redis.call('HGET', B, 'pendingStarted')
redis.call('HSET', B, 'current', ARGV[1], 'startedAt', started, 'fullStartedAt', started,
  'completedAt', ARGV[2], 'objects', ARGV[3], 'appCalls', ARGV[4], 'ms', ARGV[5])
redis.call('HDEL', B, 'pending', 'pendingStarted')
return previous or false`;

const INDEX_LETTER: Record<SnapshotIndex, string> = { key: 'k', externalId: 'x', email: 'm' };
const TOP = Buffer.from([0xff]);
/** The end of the "i\0<appId>" range: every live entry sorts before it. */
const LIVE_END = Buffer.from('[i\0\xff', 'latin1');

type Commands = RedisClient & {
  snapshotWrite(key: string, ...args: string[]): Promise<number>;
  snapshotComplete(key: string, ...args: string[]): Promise<string | null>;
  snapshotAdvance(key: string, ...args: string[]): Promise<number>;
};

export class RedisAppSnapshots implements AppSnapshots {
  readonly #redis: Commands;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix = 'scimgw') {
    this.#redis = redis as Commands;
    this.#prefix = prefix;
    redis.defineCommand('snapshotWrite', { numberOfKeys: 1, lua: SNAPSHOT_WRITE });
    redis.defineCommand('snapshotComplete', { numberOfKeys: 1, lua: SNAPSHOT_COMPLETE });
    redis.defineCommand('snapshotAdvance', { numberOfKeys: 1, lua: SNAPSHOT_ADVANCE });
  }

  async state(app: string, kind: ResourceKind): Promise<SnapshotState | undefined> {
    const fields = await guarded(() => this.#redis.hgetall(this.#base(app, kind)));
    if (!fields.current) return undefined;
    return {
      generation: fields.current,
      startedAt: Number(fields.startedAt ?? 0),
      completedAt: Number(fields.completedAt ?? 0),
      objects: Number(fields.objects ?? 0),
      appCalls: Number(fields.appCalls ?? 0),
      ms: Number(fields.ms ?? 0),
      fullStartedAt: Number(fields.fullStartedAt ?? fields.startedAt ?? 0),
    };
  }

  async begin(app: string, kind: ResourceKind, generation: string, startedAt: number): Promise<void> {
    const base = this.#base(app, kind);
    const earlier = await guarded(() => this.#redis.hget(base, 'pending'));
    await guarded(() => this.#redis.hset(base, 'pending', generation, 'pendingStarted', String(startedAt)));
    if (earlier) await this.#drop(base, earlier);
  }

  async fill(app: string, kind: ResourceKind, generation: string, entries: readonly SnapshotEntry[]): Promise<void> {
    if (!entries.length) return;
    await guarded(() =>
      this.#redis.snapshotWrite(this.#base(app, kind), 'fill', generation, ...entries.map((entry) => encode(entry))),
    );
  }

  async complete(
    app: string,
    kind: ResourceKind,
    generation: string,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    const base = this.#base(app, kind);
    const previous = await guarded(() =>
      this.#redis.snapshotComplete(
        base,
        generation,
        String(completedAt),
        String(stats.objects),
        String(stats.appCalls),
        String(Math.round(stats.ms)),
      ),
    );
    if (previous) await this.#drop(base, previous);
  }

  async advance(
    app: string,
    kind: ResourceKind,
    generation: string,
    startedAt: number,
    stats: SnapshotStats,
    completedAt: number,
  ): Promise<void> {
    await guarded(() =>
      this.#redis.snapshotAdvance(
        this.#base(app, kind),
        generation,
        String(startedAt),
        String(completedAt),
        String(stats.objects),
        String(stats.appCalls),
        String(Math.round(stats.ms)),
      ),
    );
  }

  async abandon(app: string, kind: ResourceKind, generation: string): Promise<void> {
    const base = this.#base(app, kind);
    if ((await guarded(() => this.#redis.hget(base, 'pending'))) !== generation) return;
    await guarded(() => this.#redis.hdel(base, 'pending', 'pendingStarted'));
    await this.#drop(base, generation);
  }

  async put(app: string, kind: ResourceKind, ...entries: SnapshotEntry[]): Promise<void> {
    if (!entries.length) return;
    await guarded(() => this.#redis.snapshotWrite(this.#base(app, kind), 'put', '', ...entries.map(encode)));
  }

  async get(app: string, kind: ResourceKind, appId: string): Promise<SnapshotEntry | undefined> {
    const base = this.#base(app, kind);
    const current = await guarded(() => this.#redis.hget(base, 'current'));
    if (!current) return undefined;
    const json = await guarded(() => this.#redis.hget(`${base}:${current}:e`, appId));
    return json ? decode(json) : undefined;
  }

  async find(app: string, kind: ResourceKind, index: SnapshotIndex, value: string): Promise<SnapshotEntry[]> {
    const base = this.#base(app, kind);
    const current = await guarded(() => this.#redis.hget(base, 'current'));
    if (!current) return [];
    const prefix = Buffer.from(`${INDEX_LETTER[index]}\0${value}\0`);
    const found = await guarded(() =>
      this.#redis.zrangebylex(
        `${base}:${current}:x`,
        Buffer.concat([Buffer.from('['), prefix]),
        Buffer.concat([Buffer.from('['), prefix, TOP]),
      ),
    );
    return this.#load(
      `${base}:${current}:e`,
      found.map((member) => member.slice(prefix.toString().length)),
    );
  }

  async *entries(app: string, kind: ResourceKind, batchSize = 500): AsyncIterable<SnapshotEntry[]> {
    const base = this.#base(app, kind);
    const current = await guarded(() => this.#redis.hget(base, 'current'));
    if (!current) return;
    let from = Buffer.from('[i\0');
    for (;;) {
      const members = await guarded(() =>
        this.#redis.zrangebylex(`${base}:${current}:x`, from, LIVE_END, 'LIMIT', 0, batchSize),
      );
      if (!members.length) return;
      const batch = await this.#load(
        `${base}:${current}:e`,
        members.map((member) => member.slice(2)),
      );
      if (batch.length) yield batch;
      from = Buffer.concat([Buffer.from('('), Buffer.from(members.at(-1)!)]);
    }
  }

  async page(app: string, kind: ResourceKind, offset: number, count: number): Promise<SnapshotEntry[]> {
    const base = this.#base(app, kind);
    const current = await guarded(() => this.#redis.hget(base, 'current'));
    if (!current || count <= 0) return [];
    const members = await guarded(() =>
      this.#redis.zrangebylex(`${base}:${current}:x`, '[i\0', LIVE_END, 'LIMIT', offset, count),
    );
    return this.#load(
      `${base}:${current}:e`,
      members.map((member) => member.slice(2)),
    );
  }

  async count(app: string, kind: ResourceKind): Promise<number> {
    const base = this.#base(app, kind);
    const current = await guarded(() => this.#redis.hget(base, 'current'));
    if (!current) return 0;
    return guarded(() => this.#redis.zlexcount(`${base}:${current}:x`, '[i\0', LIVE_END));
  }

  async #load(entriesKey: string, appIds: string[]): Promise<SnapshotEntry[]> {
    if (!appIds.length) return [];
    const values = await guarded(() => this.#redis.hmget(entriesKey, ...appIds));
    return values
      .filter((json): json is string => typeof json === 'string')
      .map(decode)
      .filter((entry) => entry.scim !== null);
  }

  #base(app: string, kind: ResourceKind): string {
    return `${this.#prefix}:{${app}:${kind}}:snap`;
  }

  async #drop(base: string, generation: string): Promise<void> {
    await guarded(() => this.#redis.unlink(`${base}:${generation}:e`, `${base}:${generation}:x`));
  }
}

function encode(entry: SnapshotEntry): string {
  return JSON.stringify(entry);
}

function decode(json: string): SnapshotEntry {
  const parsed = JSON.parse(json) as SnapshotEntry & { scim: ScimResource | null };
  return { ...parsed, scim: parsed.scim ?? null };
}
