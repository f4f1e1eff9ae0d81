/** /readyz names what makes Redis an unsafe home for the mappings: no persistence, or eviction. */
import { describe, expect, it } from 'vitest';
import { redisWarnings } from '../../src/store/open-store.ts';
import { redisForFile } from '../helpers/redis-client.ts';

const redis = redisForFile();

describe('redisWarnings', () => {
  it('warns while appendonly is off or keys may be evicted, and says nothing once both are safe', async () => {
    await redis.client.config('SET', 'appendonly', 'no');
    await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const warnings = await redisWarnings(redis.client);
    expect(warnings).toEqual([
      expect.stringContaining('appendonly (AOF) off'),
      expect.stringContaining('maxmemory-policy allkeys-lru'),
    ]);
    await redis.client.config('SET', 'appendonly', 'yes');
    await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
    await expect.poll(() => redisWarnings(redis.client), { timeout: 10_000 }).toEqual([]);
    // Back to the throwaway server's own settings, so it stops at once.
    await redis.client.config('SET', 'appendonly', 'no');
  });
});
