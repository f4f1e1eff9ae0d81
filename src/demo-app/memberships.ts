import type { Membership } from './model.ts';

export interface Member {
  user_id: number;
  added_at: string;
}

/**
 * Team membership as a bare relation. Existence of the team and user is the store's business;
 * this class only keeps the pairs and their timestamps.
 */
export class Memberships {
  /** team id -> (user id -> added_at). */
  #byTeam = new Map<number, Map<number, string>>();

  /** Sorted by user id, which is the order the API promises. */
  list(teamId: number): Member[] {
    const members = this.#byTeam.get(teamId);
    if (!members) return [];
    return [...members].sort(([a], [b]) => a - b).map(([user_id, added_at]) => ({ user_id, added_at }));
  }

  /** Returns false when the pair already existed, so callers can skip persisting a no-op. */
  add(teamId: number, userId: number, addedAt: string): boolean {
    let members = this.#byTeam.get(teamId);
    if (!members) this.#byTeam.set(teamId, (members = new Map<number, string>()));
    if (members.has(userId)) return false;
    members.set(userId, addedAt);
    return true;
  }

  remove(teamId: number, userId: number): boolean {
    return this.#byTeam.get(teamId)?.delete(userId) ?? false;
  }

  removeUser(userId: number): void {
    for (const members of this.#byTeam.values()) members.delete(userId);
  }

  removeTeam(teamId: number): void {
    this.#byTeam.delete(teamId);
  }

  all(): Membership[] {
    const teamIds = [...this.#byTeam.keys()].sort((a, b) => a - b);
    return teamIds.flatMap((team_id) => this.list(team_id).map((m) => ({ team_id, ...m })));
  }

  clear(): void {
    this.#byTeam.clear();
  }
}
