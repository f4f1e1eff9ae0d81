/**
 * The rate budget shared by every replica (see outbound/budget.ts for the algorithm): a sliding log per
 * app (and per bucket key) in a sorted set, timed by Redis's own clock so replicas with skewed clocks
 * still agree, and a pause key that a 429 sets for everyone.
 */
import { randomUUID } from 'node:crypto';
import { guardFor, pauseKey, type Limit, type RateBudget } from '../../outbound/budget.ts';
import { guarded, type RedisClient } from './connection.ts';

/** KEYS: log, pause; ARGV: limit, window ms (with guard), member → 0 when granted, else ms to wait. */
export const BUDGET_TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
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
    redis.defineCommand('budgetTake', { numberOfKeys: 2, lua: BUDGET_TAKE });
    redis.defineCommand('budgetPause', { numberOfKeys: 1, lua: BUDGET_PAUSE });
  }

  /** "app:rest" → keys in the app's hash slot, so both keys of a call live on one Cluster node. */
  #keys(key: string): [string, string] {
    const app = pauseKey(key);
    const rest = key.slice(app.length + 1) || 'main';
    return [`${this.#prefix}:budget:{${app}}:${rest}`, `${this.#prefix}:budget:{${app}}:pause`];
  }

  async take(key: string, limit: Limit): Promise<number> {
    const [log, pause] = this.#keys(key);
    const window = limit.perMs + guardFor(limit.perMs);
    const client = this.#redis as unknown as { budgetTake(...args: (string | number)[]): Promise<number> };
    return Number(await guarded(() => client.budgetTake(log, pause, Math.max(1, Math.floor(limit.requests)), window, randomUUID())));
  }

  async pause(key: string, ms: number): Promise<void> {
    const [, pause] = this.#keys(key);
    const client = this.#redis as unknown as { budgetPause(...args: (string | number)[]): Promise<number> };
    await guarded(() => client.budgetPause(pause, Math.max(1, Math.round(ms))));
  }
}
