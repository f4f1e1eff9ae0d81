/**
 * A lock per key shared by every replica: SET NX with a lease, renewed while the work runs, released
 * only by the token that took it (so a replica whose lease ran out cannot free someone else's lock). A
 * replica that dies holding a lock blocks that key only until its lease ends. An in-process lock in front
 * keeps one replica's concurrent requests for a key from all polling Redis.
 */
import { randomUUID } from 'node:crypto';
import type { LockManager } from '../../core/id-map.ts';
import { UnavailableError } from '../../errors.ts';
import { LocalLocks } from '../embedded/local-locks.ts';
import { guarded, type RedisClient } from './connection.ts';

export interface RedisLockOptions {
  prefix?: string;
  /** How long a lock outlives a replica that died holding it. */
  leaseMs?: number;
  /** How long to wait for a lock before answering 503. */
  waitMs?: number;
  /** Called when a renewal finds the lease already lost (the work took longer than the lease and Redis was unreachable). */
  onLost?: (key: string) => void;
}

export class RedisLocks implements LockManager {
  readonly #redis: RedisClient;
  readonly #local = new LocalLocks();
  readonly #prefix: string;
  readonly #leaseMs: number;
  readonly #waitMs: number;
  readonly #onLost: (key: string) => void;

  constructor(redis: RedisClient, options: RedisLockOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'scimgw';
    this.#leaseMs = options.leaseMs ?? 15_000;
    this.#waitMs = options.waitMs ?? 30_000;
    this.#onLost = options.onLost ?? (() => undefined);
    if (!(this.#leaseMs >= 100))
      throw new TypeError(`Expected \`leaseMs\` to be >= 100, got \`${this.#leaseMs}\` (${typeof this.#leaseMs})`);
  }

  withLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.#local.withLock(key, () => this.#withRedisLock(key, work));
  }

  async #withRedisLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lockKey = `${this.#prefix}:lock:${key}`;
    const token = randomUUID();
    const deadline = Date.now() + this.#waitMs;
    for (let attempt = 0; ; attempt++) {
      const taken = await guarded(() => this.#redis.set(lockKey, token, 'PX', this.#leaseMs, 'NX'));
      if (taken === 'OK') break;
      if (Date.now() >= deadline)
        throw new UnavailableError(
          'Another replica is still working on this object; retry later',
          Math.ceil(this.#leaseMs / 1000),
        );
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(250, 10 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random() / 2)),
      );
    }
    const renewal = setInterval(
      () => {
        this.#redis.lockExtend(lockKey, token, this.#leaseMs).then(
          (extended) => {
            if (extended !== 1) this.#onLost(key);
          },
          () => undefined,
        );
      },
      Math.max(50, Math.floor(this.#leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await work();
    } finally {
      clearInterval(renewal);
      await this.#redis.lockRelease(lockKey, token).catch(() => undefined);
    }
  }
}
