/** Outbound OAuth tokens shared by the replicas through Redis (see outbound/auth.ts SharedTokenStore). */
import type { CachedToken, SharedTokenStore } from '../../outbound/auth.ts';
import type { LockManager } from '../../core/id-map.ts';
import type { RedisClient } from './connection.ts';

export class RedisTokenStore implements SharedTokenStore {
  readonly #redis: RedisClient;
  readonly #locks: LockManager;
  readonly #prefix: string;

  constructor(redis: RedisClient, locks: LockManager, prefix = 'scimgw') {
    this.#redis = redis;
    this.#locks = locks;
    this.#prefix = prefix;
  }

  #key(key: string): string {
    return `${this.#prefix}:token:${key}`;
  }

  async get(key: string): Promise<CachedToken | undefined> {
    const [value, ttl] = await Promise.all([this.#redis.get(this.#key(key)), this.#redis.pttl(this.#key(key))]);
    return value !== null && ttl > 0 ? { value, expiresAt: Date.now() + ttl } : undefined;
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const ttl = Math.floor(token.expiresAt - Date.now());
    if (ttl > 0) await this.#redis.set(this.#key(key), token.value, 'PX', ttl);
  }

  async drop(key: string, value: string): Promise<void> {
    await this.#redis.lockRelease(this.#key(key), value);
  }

  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.#locks.withLock(`token:${key}`, work);
  }
}
