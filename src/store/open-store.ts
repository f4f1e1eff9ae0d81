/**
 * Opens the configured store: the IdMap and the locks that go with it. REDIS_URL in the environment selects
 * Redis even when the config says nothing, so a single-instance install grows by setting one variable.
 */
import { join, resolve } from 'node:path';
import { toMilliseconds } from '../config/duration.ts';
import type { GatewayConfig } from '../config/schema.ts';
import { resolveSecret, resolveSetting } from '../config/secrets.ts';
import type { IdMap, LockManager } from '../core/id-map.ts';
import type { AppSnapshots } from '../core/app-snapshot.ts';
import type { MemberProgress } from '../core/member-progress.ts';
import { SqliteAppSnapshots } from './embedded/sqlite-snapshots.ts';
import { RedisAppSnapshots } from './redis/redis-snapshots.ts';
import { SqliteMemberProgress } from './embedded/sqlite-member-progress.ts';
import { RedisMemberProgress } from './redis/redis-member-progress.ts';
import { LocalLocks } from './embedded/local-locks.ts';
import { SqliteIdMap } from './embedded/sqlite-id-map.ts';
import { createRedisClient, whenReady, type RedisClient } from './redis/connection.ts';
import { RedisIdMap } from './redis/redis-id-map.ts';
import { RedisLocks } from './redis/redis-locks.ts';

export interface OpenStore {
  kind: 'embedded' | 'redis';
  idMap: IdMap;
  locks: LockManager;
  memberProgress: MemberProgress & { close?: () => void };
  snapshots: AppSnapshots & { close?: () => void };
  /** The Redis client, for the other shared state (OAuth tokens); undefined on the embedded store. */
  redis?: RedisClient;
  prefix: string;
  /** What makes the store unsafe without making it fail (shown by /readyz, which stays ready). */
  warnings(): Promise<string[]>;
}

export type StoreConfig = GatewayConfig['store'];

/** The store config with REDIS_URL applied. */
export function effectiveStore(store: StoreConfig, env: NodeJS.ProcessEnv): StoreConfig {
  if (store.type === 'embedded' && env.REDIS_URL) {
    return {
      type: 'redis',
      url: 'env:REDIS_URL',
      tls: false,
      sentinelName: 'mymaster',
      prefix: 'scimgw',
      lockLease: '15s',
    };
  }
  return store;
}

export async function openStore(
  config: StoreConfig,
  options: { baseDir: string; env: NodeJS.ProcessEnv; where: string },
): Promise<OpenStore> {
  if (config.type === 'embedded') {
    const file = join(resolve(options.baseDir, config.dataDir), 'scimgw.sqlite');
    return {
      kind: 'embedded',
      idMap: new SqliteIdMap(file),
      locks: new LocalLocks(),
      memberProgress: new SqliteMemberProgress(file),
      snapshots: new SqliteAppSnapshots(file),
      prefix: 'scimgw',
      warnings: async () => [],
    };
  }
  const url =
    config.url === undefined
      ? (options.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
      : String(resolveSetting(config.url, `${options.where} store.url`, options.env));
  const redis = createRedisClient({
    url,
    tls: config.tls,
    prefix: config.prefix,
    ...(config.password
      ? { password: resolveSecret(config.password, `${options.where} store.password`, options.env) }
      : {}),
    ...(config.sentinels ? { sentinels: config.sentinels, sentinelName: config.sentinelName } : {}),
    ...(config.cluster ? { cluster: config.cluster } : {}),
  });
  await whenReady(redis);
  return {
    kind: 'redis',
    idMap: new RedisIdMap(redis, { prefix: config.prefix, owned: true }),
    locks: new RedisLocks(redis, { prefix: config.prefix, leaseMs: toMilliseconds(config.lockLease) }),
    memberProgress: new RedisMemberProgress(redis, config.prefix),
    snapshots: new RedisAppSnapshots(redis, config.prefix),
    redis,
    prefix: config.prefix,
    warnings: () => redisWarnings(redis),
  };
}

/**
 * Redis holds the only copy of the mappings: without persistence a restart loses them, and with an
 * eviction policy a full Redis drops them silently. Both are settings of the server, not errors.
 */
export async function redisWarnings(redis: RedisClient): Promise<string[]> {
  const info = async (section: string) => {
    try {
      return String(await redis.info(section));
    } catch {
      return '';
    }
  };
  const field = (text: string, name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
  const warnings: string[] = [];
  const persistence = await info('persistence');
  if (field(persistence, 'aof_enabled') === '0')
    warnings.push('Redis has appendonly (AOF) off: a Redis restart can lose mappings; set appendonly yes');
  const policy = field(await info('memory'), 'maxmemory_policy');
  if (policy && policy !== 'noeviction')
    warnings.push(
      `Redis evicts keys (maxmemory-policy ${policy}): a full Redis would drop mappings; set maxmemory-policy noeviction`,
    );
  return warnings;
}
