/**
 * The rate budget shared by every replica (see outbound/budget.ts for the algorithm): a sliding log per
 * app (and per bucket key) in a sorted set, timed by Redis's own clock so replicas with skewed clocks
 * still agree, and a pause key that a 429 sets for everyone.
 */
import { randomUUID } from 'node:crypto';
import { guardFor, pauseKey, spacingFor, type BudgetUse, type Limit, type RateBudget } from '../../outbound/budget.ts';
import { guarded, type RedisClient } from './connection.ts';

/**
 * KEYS: pause, then one log per budget (all of one app, so one Cluster slot); ARGV: limit, window ms (with
 * guard) and spacing ms per log, then the member → 0 when every log has room (the call is counted in
 * each), else ms until all might (nothing counted). All or nothing: see RateBudget.takeAll. The time of the
 * last grant is kept beside each log (key "<log>:g", same hash tag) for the spacing.
 */
export const BUDGET_TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return paused end
local n = #KEYS - 1
local wait = 0
for i = 1, n do
  local limit, window, spacing = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  redis.call('ZREMRANGEBYSCORE', KEYS[i + 1], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i + 1])
  if count >= limit then
    local frees = redis.call('ZRANGE', KEYS[i + 1], count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, 1, tonumber(frees[2]) + window - now)
  end
  local last = tonumber(redis.call('GET', KEYS[i + 1] .. ':g') or '0')
  if now - last < spacing then wait = math.max(wait, spacing - (now - last)) end
end
if wait > 0 then return wait end
for i = 1, n do
  local window = tonumber(ARGV[3 * i - 1])
  redis.call('ZADD', KEYS[i + 1], now, ARGV[3 * n + 1])
  redis.call('PEXPIRE', KEYS[i + 1], window * 2)
  redis.call('SET', KEYS[i + 1] .. ':g', now, 'PX', window * 2)
end
return 0
`;

/** KEYS: one log per budget; ARGV: the member, then the window ms per log → counts the member from now. */
export const BUDGET_SETTLE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[i + 1]) * 2)
end
return 1
`;

/** KEYS: pause; ARGV: ms → sets the pause unless a longer one runs. */
export const BUDGET_PAUSE = `
local current = redis.call('PTTL', KEYS[1])
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
return 1
`;

export class RedisBudget implements RateBudget {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix = 'scimgw') {
    this.#redis = redis;
    this.#prefix = prefix;
    // No fixed key count: the number of keys is passed first on each call.
    redis.defineCommand('budgetTake', { lua: BUDGET_TAKE });
    redis.defineCommand('budgetSettle', { lua: BUDGET_SETTLE });
    redis.defineCommand('budgetPause', { numberOfKeys: 1, lua: BUDGET_PAUSE });
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
    const args = uses.flatMap(({ limit }) => [Math.max(1, Math.floor(limit.requests)), limit.perMs + guardFor(limit.perMs), spacingFor(limit)]);
    const client = this.#redis as unknown as { budgetTake(...args: (string | number)[]): Promise<number> };
    return Number(await guarded(() => client.budgetTake(logs.length + 1, pause, ...logs, ...args, grant)));
  }

  async settle(uses: readonly BudgetUse[], grant: string): Promise<void> {
    if (!uses.length) return;
    const logs = uses.map((use) => this.#keys(use.key)[0]);
    const windows = uses.map(({ limit }) => limit.perMs + guardFor(limit.perMs));
    const client = this.#redis as unknown as { budgetSettle(...args: (string | number)[]): Promise<number> };
    await guarded(() => client.budgetSettle(logs.length, ...logs, grant, ...windows));
  }

  async pause(key: string, ms: number): Promise<void> {
    const [, pause] = this.#keys(key);
    const client = this.#redis as unknown as { budgetPause(...args: (string | number)[]): Promise<number> };
    await guarded(() => client.budgetPause(pause, Math.max(1, Math.round(ms))));
  }
}
