/**
 * Member changes that a group write applied to the app before it could finish. A PATCH adding a thousand
 * members to an app that allows two calls a second outlives Entra's ~60 s; Entra then retries the whole
 * PATCH. The retry (on any replica) skips what is recorded here, so each member is sent once and the
 * group converges within a few tries instead of never. Entries expire after a day.
 *
 * Implementations: store/embedded (SQLite, beside the id map), store/redis, and LocalMemberProgress
 * (one process, tests); all pass test/store/member-progress-contract.ts.
 */
export type MemberAction = 'add' | 'remove';

export const MEMBER_PROGRESS_TTL_MS = 24 * 60 * 60 * 1000;

export interface MemberProgress {
  /** Member SCIM id → the last change applied to it by unfinished writes to this group. */
  get(app: string, groupScimId: string): Promise<Map<string, MemberAction>>;
  record(app: string, groupScimId: string, action: MemberAction, memberScimIds: readonly string[]): Promise<void>;
  /** The group's writes are all done (or the group is gone): nothing to skip any more. */
  clear(app: string, groupScimId: string): Promise<void>;
}

/** In one process, with an injected clock. */
export class LocalMemberProgress implements MemberProgress {
  readonly #groups = new Map<string, Map<string, { action: MemberAction; at: number }>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async get(app: string, groupScimId: string): Promise<Map<string, MemberAction>> {
    const out = new Map<string, MemberAction>();
    const cutoff = this.#now() - MEMBER_PROGRESS_TTL_MS;
    for (const [member, entry] of this.#groups.get(`${app}\u0000${groupScimId}`) ?? [])
      if (entry.at > cutoff) out.set(member, entry.action);
    return out;
  }

  async record(
    app: string,
    groupScimId: string,
    action: MemberAction,
    memberScimIds: readonly string[],
  ): Promise<void> {
    const key = `${app}\u0000${groupScimId}`;
    const group = this.#groups.get(key) ?? new Map<string, { action: MemberAction; at: number }>();
    for (const member of memberScimIds) group.set(member, { action, at: this.#now() });
    this.#groups.set(key, group);
  }

  async clear(app: string, groupScimId: string): Promise<void> {
    this.#groups.delete(`${app}\u0000${groupScimId}`);
  }
}
