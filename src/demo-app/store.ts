/**
 * In-memory state of the demo app. Every read hands out copies, so neither routes nor tests
 * can change a record behind the store's back (and skip its uniqueness indexes).
 */
import { invalid, notFound } from './errors.ts';
import { Memberships, type Member } from './memberships.ts';
import {
  mergeCustomFields,
  newUser,
  type ListResult,
  type Membership,
  type Range,
  type StoreSnapshot,
  type Team,
  type TeamFields,
  type TeamFilter,
  type User,
  type UserFilter,
  type UserInput,
  type UserStatus,
} from './model.ts';
import { UniqueIndex } from './unique-index.ts';

const now = (): string => new Date().toISOString();
const copyUser = (user: User): User => ({
  ...user,
  office: user.office && { ...user.office },
  roles: [...user.roles],
  custom_fields: { ...user.custom_fields },
});
/** Case-insensitive equality where an absent filter matches everything. */
const sameFolded = (filter: string | undefined, value: string | null): boolean =>
  filter === undefined || (value !== null && value.toLowerCase() === filter.toLowerCase());

function paginate<T>(all: T[], range: Range | undefined): ListResult<T> {
  const items = range ? all.slice(range.offset, range.offset + range.limit) : all;
  return { items, total: all.length };
}

export class DemoStore {
  #users = new Map<number, User>();
  #userNames = new UniqueIndex('user_name');
  #teams = new Map<number, Team>();
  #teamNames = new UniqueIndex('name');
  #members = new Memberships();
  #nextUserId = 1;
  #nextTeamId = 1;
  /** Called after every mutation; the app hooks persistence in here. */
  onChange: () => void = () => {};

  get userCount(): number {
    return this.#users.size;
  }

  get teamCount(): number {
    return this.#teams.size;
  }

  // ---- users ----

  /** Ids only grow, so map insertion order is id order. */
  listUsers(filter: UserFilter = {}, range?: Range): ListResult<User> {
    // user_name is unique, so its filter is an index lookup, as a real API's would be.
    const candidates =
      filter.user_name !== undefined && filter.user_name !== ''
        ? [this.#users.get(this.#userNames.find(filter.user_name) ?? -1)].filter((u) => u !== undefined)
        : [...this.#users.values()];
    const matches = candidates.filter(
      (u) =>
        sameFolded(filter.user_name, u.user_name) &&
        sameFolded(filter.email, u.email) &&
        (filter.external_ref === undefined || u.external_ref === filter.external_ref) &&
        (filter.updated_since === undefined || Date.parse(u.updated_at) >= filter.updated_since),
    );
    return paginate(matches.map(copyUser), range);
  }

  getUser(id: number): User | undefined {
    const user = this.#users.get(id);
    return user && copyUser(user);
  }

  createUser(fields: UserInput & { user_name: string }): User {
    this.#userNames.check(fields.user_name);
    this.#checkManager(fields.manager_id, undefined);
    const user = newUser(this.#nextUserId++, fields, now());
    this.#users.set(user.id, user);
    this.#userNames.set(user.user_name, user.id);
    this.onChange();
    return copyUser(user);
  }

  updateUser(id: number, patch: UserInput): User {
    const user = this.#requireUser(id);
    if (patch.user_name !== undefined) this.#userNames.check(patch.user_name, id);
    this.#checkManager(patch.manager_id, id);
    if (patch.user_name !== undefined) this.#userNames.rename(user.user_name, patch.user_name, id);
    const { custom_fields: fields, ...rest } = patch;
    Object.assign(user, rest, { updated_at: now() });
    if (fields) user.custom_fields = mergeCustomFields(user.custom_fields, fields);
    this.onChange();
    return copyUser(user);
  }

  setUserStatus(id: number, status: UserStatus): User {
    const user = this.#requireUser(id);
    if (user.status !== status) {
      user.status = status;
      user.updated_at = now();
      this.onChange();
    }
    return copyUser(user);
  }

  /** Also drops the user's memberships and clears manager_id on their reports. */
  deleteUser(id: number): void {
    const user = this.#requireUser(id);
    this.#users.delete(id);
    this.#userNames.delete(user.user_name);
    this.#members.removeUser(id);
    const stamp = now();
    for (const other of this.#users.values()) {
      if (other.manager_id === id) {
        other.manager_id = null;
        other.updated_at = stamp;
      }
    }
    this.onChange();
  }

  #requireUser(id: number): User {
    const user = this.#users.get(id);
    if (!user) throw notFound(`User ${id} not found`);
    return user;
  }

  /** A dangling manager_id would break the gateway's manager mapping, so refuse it up front. */
  #checkManager(managerId: number | null | undefined, self: number | undefined): void {
    if (managerId === null || managerId === undefined) return;
    if (managerId === self) throw invalid('manager_id', 'A user cannot be their own manager');
    if (!this.#users.has(managerId)) throw invalid('manager_id', `No user with id ${managerId}`);
  }

  // ---- teams ----

  listTeams(filter: TeamFilter = {}, range?: Range): ListResult<Team> {
    const matches = [...this.#teams.values()].filter(
      (t) =>
        sameFolded(filter.name, t.name) &&
        (filter.external_ref === undefined || t.external_ref === filter.external_ref),
    );
    return paginate(
      matches.map((t) => ({ ...t })),
      range,
    );
  }

  getTeam(id: number): Team | undefined {
    const team = this.#teams.get(id);
    return team && { ...team };
  }

  createTeam(fields: Partial<TeamFields> & { name: string }): Team {
    this.#teamNames.check(fields.name);
    const stamp = now();
    const team: Team = {
      id: this.#nextTeamId++,
      name: fields.name,
      description: fields.description ?? null,
      external_ref: fields.external_ref ?? null,
      created_at: stamp,
      updated_at: stamp,
    };
    this.#teams.set(team.id, team);
    this.#teamNames.set(team.name, team.id);
    this.onChange();
    return { ...team };
  }

  updateTeam(id: number, patch: Partial<TeamFields>): Team {
    const team = this.#requireTeam(id);
    if (patch.name !== undefined) {
      this.#teamNames.check(patch.name, id);
      this.#teamNames.rename(team.name, patch.name, id);
    }
    Object.assign(team, patch, { updated_at: now() });
    this.onChange();
    return { ...team };
  }

  deleteTeam(id: number): void {
    const team = this.#requireTeam(id);
    this.#teams.delete(id);
    this.#teamNames.delete(team.name);
    this.#members.removeTeam(id);
    this.onChange();
  }

  #requireTeam(id: number): Team {
    const team = this.#teams.get(id);
    if (!team) throw notFound(`Team ${id} not found`);
    return team;
  }

  // ---- memberships ----

  listMembers(teamId: number, range?: Range): ListResult<Member> {
    this.#requireTeam(teamId);
    return paginate(this.#members.list(teamId), range);
  }

  addMember(teamId: number, userId: number): void {
    this.#requireTeam(teamId);
    this.#requireUser(userId);
    if (this.#members.add(teamId, userId, now())) this.onChange();
  }

  /** Adds several users at once, all or none: every id must name a user. */
  addMembers(teamId: number, userIds: readonly number[]): void {
    this.#requireTeam(teamId);
    const unknown = userIds.filter((id) => !this.#users.has(id));
    if (unknown.length) throw invalid('user_ids', `No user with id ${unknown.join(', ')}`);
    const stamp = now();
    let changed = false;
    for (const userId of userIds) changed = this.#members.add(teamId, userId, stamp) || changed;
    if (changed) this.onChange();
  }

  removeMembers(teamId: number, userIds: readonly number[]): void {
    this.#requireTeam(teamId);
    let changed = false;
    for (const userId of userIds) changed = this.#members.remove(teamId, userId) || changed;
    if (changed) this.onChange();
  }

  /** Removing a non-member is not an error: the caller's desired state already holds. */
  removeMember(teamId: number, userId: number): void {
    this.#requireTeam(teamId);
    if (this.#members.remove(teamId, userId)) this.onChange();
  }

  /** Every membership, ordered by team then user. */
  listMemberships(): Membership[] {
    return this.#members.all();
  }

  // ---- whole state ----

  clear(): void {
    this.#reset();
    this.onChange();
  }

  toSnapshot(): StoreSnapshot {
    return {
      version: 1,
      next_user_id: this.#nextUserId,
      next_team_id: this.#nextTeamId,
      users: this.listUsers().items,
      teams: this.listTeams().items,
      memberships: this.listMemberships(),
    };
  }

  /** Replaces the whole state with an already-validated snapshot; no onChange (it came from disk). */
  load(snapshot: StoreSnapshot): void {
    this.#reset();
    for (const user of [...snapshot.users].sort((a, b) => a.id - b.id)) {
      // Files written before roles and custom fields existed have neither.
      this.#users.set(user.id, copyUser({ ...user, roles: user.roles ?? [], custom_fields: user.custom_fields ?? {} }));
      this.#userNames.set(user.user_name, user.id);
    }
    for (const team of [...snapshot.teams].sort((a, b) => a.id - b.id)) {
      this.#teams.set(team.id, { ...team });
      this.#teamNames.set(team.name, team.id);
    }
    for (const m of snapshot.memberships) {
      if (this.#teams.has(m.team_id) && this.#users.has(m.user_id)) {
        this.#members.add(m.team_id, m.user_id, m.added_at);
      }
    }
    // Never hand out an id that is already in use, even if the counters in the file are stale.
    const nextFree = (ids: Iterable<number>) => {
      let max = 0;
      for (const id of ids) max = Math.max(max, id);
      return max + 1;
    };
    this.#nextUserId = Math.max(snapshot.next_user_id, nextFree(this.#users.keys()));
    this.#nextTeamId = Math.max(snapshot.next_team_id, nextFree(this.#teams.keys()));
  }

  #reset(): void {
    this.#users.clear();
    this.#userNames.clear();
    this.#teams.clear();
    this.#teamNames.clear();
    this.#members.clear();
    this.#nextUserId = 1;
    this.#nextTeamId = 1;
  }
}
