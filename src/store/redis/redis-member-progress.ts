/** MemberProgress on Redis: one hash per group (member → action), expiring a day after its last write. */
import { MEMBER_PROGRESS_TTL_MS, type MemberAction, type MemberProgress } from '../../core/member-progress.ts';
import { guarded, type RedisClient } from './connection.ts';

export class RedisMemberProgress implements MemberProgress {
  readonly #redis: RedisClient;
  readonly #prefix: string;

  constructor(redis: RedisClient, prefix = 'scimgw') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  /** In the hash slot of the app's groups, beside their records. */
  #key(app: string, groupScimId: string): string {
    return `${this.#prefix}:{${app}:Group}:mp:${groupScimId}`;
  }

  async get(app: string, groupScimId: string): Promise<Map<string, MemberAction>> {
    const entries = await guarded(() => this.#redis.hgetall(this.#key(app, groupScimId)));
    return new Map(
      Object.entries(entries).filter(([, action]) => action === 'add' || action === 'remove') as [
        string,
        MemberAction,
      ][],
    );
  }

  async record(
    app: string,
    groupScimId: string,
    action: MemberAction,
    memberScimIds: readonly string[],
  ): Promise<void> {
    if (!memberScimIds.length) return;
    const key = this.#key(app, groupScimId);
    await guarded(() =>
      this.#redis
        .multi()
        .hset(key, Object.fromEntries(memberScimIds.map((member) => [member, action])))
        .pexpire(key, MEMBER_PROGRESS_TTL_MS)
        .exec(),
    );
  }

  async clear(app: string, groupScimId: string): Promise<void> {
    await guarded(() => this.#redis.del(this.#key(app, groupScimId)));
  }
}
