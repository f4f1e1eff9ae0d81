/** /api/teams and their members: membership is a sub-resource addressed by user id, written with PUT/DELETE. */
import { invalid, notFound } from './errors.ts';
import { filterParam, parseId, parsePaging, requireObject } from './http-util.ts';
import type { TeamFields } from './model.ts';
import type { Handler, Route } from './router.ts';
import { parseTeamFields } from './validate.ts';

const list: Handler = ({ store, query }) => {
  const { page, per_page, range } = parsePaging(query);
  const filter = { name: filterParam(query, 'name'), external_ref: filterParam(query, 'external_ref') };
  const { items, total } = store.listTeams(filter, range);
  return { status: 200, body: { teams: items, page, per_page, total } };
};

const create: Handler = ({ store, body }) => {
  const fields = parseTeamFields(requireObject(body), true) as Partial<TeamFields> & { name: string };
  return { status: 201, body: store.createTeam(fields) };
};

const show: Handler = ({ store }, [rawId]) => {
  const id = parseId(rawId, 'Team');
  const team = store.getTeam(id);
  if (!team) throw notFound(`Team ${id} not found`);
  return { status: 200, body: team };
};

const update: Handler = ({ store, body }, [rawId]) => {
  const id = parseId(rawId, 'Team');
  if (!store.getTeam(id)) throw notFound(`Team ${id} not found`);
  return { status: 200, body: store.updateTeam(id, parseTeamFields(requireObject(body), false)) };
};

const remove: Handler = ({ store }, [rawId]) => {
  store.deleteTeam(parseId(rawId, 'Team'));
  return { status: 204 };
};

const members: Handler = ({ store, query }, [rawId]) => {
  const { page, per_page, range } = parsePaging(query);
  const { items, total } = store.listMembers(parseId(rawId, 'Team'), range);
  return { status: 200, body: { members: items, page, per_page, total } };
};

const addMember: Handler = ({ store }, [rawTeam, rawUser]) => {
  store.addMember(parseId(rawTeam, 'Team'), parseId(rawUser, 'User'));
  return { status: 204 };
};

/** Bulk membership: at most this many user ids per call, as bulk APIs cap them. */
export const MAX_BULK_MEMBERS = 50;

function userIds(value: unknown): number[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').filter(Boolean).map(Number)
      : undefined;
  if (!list || !list.length || !list.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) {
    throw invalid('user_ids', 'user_ids must be a non-empty list of user ids');
  }
  if (list.length > MAX_BULK_MEMBERS) throw invalid('user_ids', `At most ${MAX_BULK_MEMBERS} user ids per call`);
  return list as number[];
}

const addMembers: Handler = ({ store, body }, [rawTeam]) => {
  store.addMembers(parseId(rawTeam, 'Team'), userIds(requireObject(body).user_ids));
  return { status: 204 };
};

const removeMembers: Handler = ({ store, query }, [rawTeam]) => {
  store.removeMembers(parseId(rawTeam, 'Team'), userIds(query.get('user_ids') ?? ''));
  return { status: 204 };
};

const removeMember: Handler = ({ store }, [rawTeam, rawUser]) => {
  store.removeMember(parseId(rawTeam, 'Team'), parseId(rawUser, 'User'));
  return { status: 204 };
};

export const teamRoutes: Route[] = [
  { path: '/teams', methods: { GET: list, POST: create } },
  { path: '/teams/:id', methods: { GET: show, PATCH: update, DELETE: remove } },
  { path: '/teams/:id/members', methods: { GET: members, POST: addMembers, DELETE: removeMembers } },
  { path: '/teams/:id/members/:userId', methods: { PUT: addMember, DELETE: removeMember } },
];
