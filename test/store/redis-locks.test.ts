import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, whenReady, type RedisClient } from '../../src/store/redis/connection.ts';
import { RedisLocks } from '../../src/store/redis/redis-locks.ts';
import { startRedis, type RedisServer } from '../helpers/redis-server.ts';

let redis: RedisServer;
const clients: RedisClient[] = [];
async function client(): Promise<RedisClient> {
  const c = createRedisClient({ url: redis.url });
  clients.push(c);
  await whenReady(c);
  return c;
}
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.close();
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisLocks', () => {
  it('lets one replica at a time work on a key, and different keys at once', async () => {
    const replicas = [
      new RedisLocks(await client(), { prefix: 'l1' }),
      new RedisLocks(await client(), { prefix: 'l1' }),
      new RedisLocks(await client(), { prefix: 'l1' }),
    ];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        replicas[i % 3]!.withLock('user:bob', async () => {
          inside++;
          most = Math.max(most, inside);
          await sleep(5);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toHaveLength(12);
    // Different keys do not wait for each other: both are held at the same moment.
    let held = 0;
    let together = 0;
    let bothIn: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => (bothIn = resolve));
    const hold = async () => {
      if (++held === 2) bothIn();
      // Serialised locks would leave the first holder waiting here alone until the 5 s pass.
      await Promise.race([barrier, sleep(5000)]);
      together = Math.max(together, held);
      held--;
    };
    await Promise.all([replicas[0]!.withLock('a', hold), replicas[1]!.withLock('b', hold)]);
    expect(together).toBe(2);
  });

  it('renews the lease while work runs longer than it', async () => {
    const a = new RedisLocks(await client(), { prefix: 'l2', leaseMs: 150 });
    const b = new RedisLocks(await client(), { prefix: 'l2', leaseMs: 150 });
    let bEntered = 0;
    const slow = a.withLock('k', async () => {
      await sleep(450);
      return bEntered;
    });
    await sleep(20);
    const second = b.withLock('k', async () => {
      bEntered = Date.now();
    });
    const seenByA = await slow;
    await second;
    expect(seenByA).toBe(0);
  });

  it('frees a key held by a replica that died, once its lease ends, and the dead owner cannot release the new lock', async () => {
    const c = await client();
    await c.set('l3:lock:k', 'dead-replica-token', 'PX', 300);
    const b = new RedisLocks(await client(), { prefix: 'l3', leaseMs: 2000 });
    const started = Date.now();
    await b.withLock('k', async () => {
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // The dead replica's token no longer matches: its release is a no-op.
      expect(await c.lockRelease('l3:lock:k', 'dead-replica-token')).toBe(0);
      expect(await c.get('l3:lock:k')).not.toBe('dead-replica-token');
    });
    expect(await c.get('l3:lock:k')).toBeNull();
  });

  it('gives up with a 503 after waiting too long', async () => {
    const c = await client();
    await c.set('l4:lock:k', 'someone', 'PX', 5000);
    const b = new RedisLocks(await client(), { prefix: 'l4', waitMs: 200 });
    await expect(b.withLock('k', async () => 1)).rejects.toMatchObject({ status: 503 });
  });
});
