import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalMemberProgress, MEMBER_PROGRESS_TTL_MS } from '../../src/core/member-progress.ts';
import { SqliteMemberProgress } from '../../src/store/embedded/sqlite-member-progress.ts';
import { RedisMemberProgress } from '../../src/store/redis/redis-member-progress.ts';
import { redisForFile } from '../helpers/redis-client.ts';
import { memberProgressContract } from './member-progress-contract.ts';

const redis = redisForFile();

memberProgressContract('in process', async () => new LocalMemberProgress());
memberProgressContract('embedded (node:sqlite)', async () => new SqliteMemberProgress(':memory:'));
memberProgressContract('Redis', async () => new RedisMemberProgress(redis.client, `t-${randomUUID()}`));

describe('member progress expires a day after it was written', () => {
  for (const [name, open] of [
    ['in process', (now: () => number) => new LocalMemberProgress(now)],
    ['embedded', (now: () => number) => new SqliteMemberProgress(':memory:', now)],
  ] as const) {
    it(`${name}: by the injected clock`, async () => {
      let now = 1_000_000;
      const progress = open(() => now);
      await progress.record('a', 'g', 'add', ['u1']);
      now += MEMBER_PROGRESS_TTL_MS - 1;
      expect((await progress.get('a', 'g')).get('u1')).toBe('add');
      now += 2;
      expect(await progress.get('a', 'g')).toEqual(new Map());
    });
  }

  it("Redis: the group's hash carries a day's TTL in the app's group hash slot", async () => {
    const prefix = `ttl-${randomUUID()}`;
    await new RedisMemberProgress(redis.client, prefix).record('crm', 'g1', 'add', ['u1']);
    const key = `${prefix}:{crm:Group}:mp:g1`;
    const ttl = await redis.client.pttl(key);
    expect(ttl).toBeGreaterThan(MEMBER_PROGRESS_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(MEMBER_PROGRESS_TTL_MS);
  });
});
