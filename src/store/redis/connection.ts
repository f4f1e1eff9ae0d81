/**
 * The Redis client for a standalone server, Sentinel or Cluster. Commands fail fast while the connection is
 * down (no offline queue, one retry) so that a SCIM request gets a 503 with Retry-After at once instead of
 * hanging; the client keeps reconnecting in the background and the gateway recovers by itself.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { StoreUnavailableError } from '../store-errors.ts';
import { SCRIPTS, type ScriptName } from './scripts.ts';

export interface RedisConnectionOptions {
  url?: string;
  sentinels?: { host: string; port: number }[];
  sentinelName?: string;
  cluster?: { host: string; port: number }[];
  password?: string;
  tls?: boolean;
  /** Key prefix, so several gateways can share one Redis. */
  prefix?: string;
}

export type RedisClient = (Redis | Cluster) & {
  [K in ScriptName]: (...args: (string | number)[]) => Promise<unknown>;
};

const COMMON: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  connectTimeout: 2000,
  commandTimeout: 3000,
  retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  lazyConnect: false,
};

export function createRedisClient(options: RedisConnectionOptions): RedisClient {
  const base: RedisOptions = {
    ...COMMON,
    ...(options.password ? { password: options.password } : {}),
    ...(options.tls ? { tls: {} } : {}),
  };
  let client: Redis | Cluster;
  if (options.cluster?.length) {
    client = new Cluster(options.cluster, {
      redisOptions: base,
      enableOfflineQueue: false,
      clusterRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
    });
  } else if (options.sentinels?.length) {
    client = new Redis({ ...base, sentinels: options.sentinels, name: options.sentinelName ?? 'mymaster' });
  } else {
    client = new Redis(options.url ?? 'redis://127.0.0.1:6379', base);
  }
  // Errors surface on the commands that hit them; the client's own event would otherwise crash the process.
  client.on('error', () => undefined);
  // Every script declares one key: Cluster routes it to the node owning that key's slot (scripts.ts).
  for (const [name, lua] of Object.entries(SCRIPTS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  return client as RedisClient;
}

/**
 * Resolves once the client is ready, or after `timeoutMs` whatever its state: the gateway still starts
 * when Redis is down (it reports not ready and answers 503 until Redis comes back).
 */
export function whenReady(client: RedisClient, timeoutMs = 5000): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    client.once('ready', onReady);
  });
}

export { StoreUnavailableError };

const UNREACHABLE = "The gateway's id store (Redis) is unreachable; retry later";

/** Runs a Redis call, turning any connection failure into a 503 for the SCIM client. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new StoreUnavailableError(UNREACHABLE, error);
  }
}
