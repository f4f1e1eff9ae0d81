/**
 * The rate budget shared by every replica (see outbound/budget.ts for the algorithm): a sliding log per
 * app (and per bucket key) in a sorted set, timed by Redis's own clock so replicas with skewed clocks
 * still agree, and a pause key that a 429 sets for everyone.
 */
import { randomUUID } from 'node:crypto';
import { guardFor, pauseKey, spacingFor, type BudgetUse, type Limit, type RateBudget } from '../../outbound/budget.ts';
import type { Clock } from '../../outbound/clock.ts';
import { guarded, type RedisClient } from './connection.ts';

/**
 * ARGV[1] is the time in ms, or "" for Redis's own clock (production: replicas with skewed clocks still
 * agree); ARGV[2] is how long beyond its window a key is kept (0 in production; tests that drive a fake
 * clock keep keys longer than the real time they take). Every script reads both first.
 */
const CLOCK = `
local now
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local keep = tonumber(ARGV[2])
`;

/**
 * KEYS: pause, then one log per budget (all of one app, so one Cluster slot); ARGV (after the clock's two):
 * limit, window ms (with guard) and spacing ms per log, then the member → 0 when every log has room (the
 * call is counted in each), else ms until all might (nothing counted). All or nothing: see
 * RateBudget.takeAll. The time of the last grant is kept beside each log (key "<log>:g", same hash tag)
 * for the spacing; the pause key holds the time it ends.
 */
export const BUDGET_TAKE = `${CLOCK}
local pausedUntil = tonumber(redis.call('GET', KEYS[1]) or '0')
if pausedUntil > now then return pausedUntil - now end
local n = #KEYS - 1
local wait = 0
for i = 1, n do
  local limit, window, spacing = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  redis.call('ZREMRANGEBYSCORE', KEYS[i + 1], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i + 1])
  if count >= limit then
    local frees = redis.call('ZRANGE', KEYS[i + 1], count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, 1, tonumber(frees[2]) + window - now)
  end
  local last = tonumber(redis.call('GET', KEYS[i + 1] .. ':g') or '-1e18')
  if now - last < spacing then wait = math.max(wait, spacing - (now - last)) end
end
if wait > 0 then return wait end
for i = 1, n do
  local window = tonumber(ARGV[3 * i + 1])
  redis.call('ZADD', KEYS[i + 1], now, ARGV[3 * n + 3])
  redis.call('PEXPIRE', KEYS[i + 1], window * 2 + keep)
  redis.call('SET', KEYS[i + 1] .. ':g', now, 'PX', window * 2 + keep)
end
return 0
`;

/** KEYS: one log per budget; ARGV (after the clock's two): the member, then the window ms per log → counts the member from now. */
export const BUDGET_SETTLE = `${CLOCK}
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i + 3]) * 2 + keep)
end
return 1
`;

/** KEYS: pause; ARGV (after the clock's two): ms → sets the pause's end unless a later one is set. */
export const BUDGET_PAUSE = `${CLOCK}
local ms = tonumber(ARGV[3])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', ms + keep) end
return 1
`;

/** How long keys outlive their window when a fake clock drives the budget (tests). */
const TEST_KEEP_MS = 600_000;

export class RedisBudget implements RateBudget {
  readonly #redis: RedisClient;
  readonly #prefix: string;
  readonly #clock: Clock | undefined;

  /** `clock` is for tests: without it the budget is timed by Redis's own clock. */
  constructor(redis: RedisClient, prefix = 'scimgw', clock?: Clock) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#clock = clock;
    // No fixed key count: the number of keys is passed first on each call.
    redis.defineCommand('budgetTake', { lua: BUDGET_TAKE });
    redis.defineCommand('budgetSettle', { lua: BUDGET_SETTLE });
    redis.defineCommand('budgetPause', { numberOfKeys: 1, lua: BUDGET_PAUSE });
  }

  /** The clock's two arguments every script reads first. */
  #time(): [string, number] {
    return this.#clock ? [String(this.#clock.now()), TEST_KEEP_MS] : ['', 0];
  }

  /** "app:rest" → keys in the app's hash slot, so both keys of a call live on one Cluster node. */
  #keys(key: string): [string, string] {
    const app = pauseKey(key);
    const rest = key.slice(app.length + 1) || 'main';
    return [`${this.#prefix}:budget:{${app}}:${rest}`, `${this.#prefix}:budget:{${app}}:pause`];
  }

  async take(key: string, limit: Limit): Promise<number> {
    return this.takeAll([{ key, limit }]);
  }

  async takeAll(uses: readonly BudgetUse[], grant: string = randomUUID()): Promise<number> {
    const first = uses[0];
    if (!first) return 0;
    const app = pauseKey(first.key);
    if (uses.some((use) => pauseKey(use.key) !== app)) throw new TypeError('takeAll: every key must belong to one app');
    const [, pause] = this.#keys(first.key);
    const logs = uses.map((use) => this.#keys(use.key)[0]);
    const args = uses.flatMap(({ limit }) => [
      Math.max(1, Math.floor(limit.requests)),
      limit.perMs + guardFor(limit.perMs),
      spacingFor(limit),
    ]);
    const client = this.#redis as unknown as { budgetTake(...args: (string | number)[]): Promise<number> };
    return Number(
      await guarded(() => client.budgetTake(logs.length + 1, pause, ...logs, ...this.#time(), ...args, grant)),
    );
  }

  async settle(uses: readonly BudgetUse[], grant: string): Promise<void> {
    if (!uses.length) return;
    const logs = uses.map((use) => this.#keys(use.key)[0]);
    const windows = uses.map(({ limit }) => limit.perMs + guardFor(limit.perMs));
    const client = this.#redis as unknown as { budgetSettle(...args: (string | number)[]): Promise<number> };
    await guarded(() => client.budgetSettle(logs.length, ...logs, ...this.#time(), grant, ...windows));
  }

  async pause(key: string, ms: number): Promise<void> {
    const [, pause] = this.#keys(key);
    const client = this.#redis as unknown as { budgetPause(...args: (string | number)[]): Promise<number> };
    await guarded(() => client.budgetPause(pause, ...this.#time(), Math.max(1, Math.round(ms))));
  }
}
