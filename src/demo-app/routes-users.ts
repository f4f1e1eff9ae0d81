/** /api/users: flat JSON records, page-number pagination, and state changes as verb sub-resources. */
import { ApiError, notFound } from './errors.ts';
import { filterParam, parseId, parsePaging, requireObject } from './http-util.ts';
import type { UserInput } from './model.ts';
import type { Handler, Route } from './router.ts';
import { parseUserFields } from './validate.ts';

/** updated_since: an ISO 8601 date-time with a zone; anything else is the client's mistake (400). */
function since(value: string | undefined): { updated_since?: number } {
  if (value === undefined) return {};
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(at))
    throw new ApiError(400, 'invalid', 'updated_since must be an ISO 8601 date-time with a time zone', 'updated_since');
  return { updated_since: at };
}

const list: Handler = ({ store, query }) => {
  const { page, per_page, range } = parsePaging(query);
  const filter = {
    user_name: filterParam(query, 'user_name'),
    email: filterParam(query, 'email'),
    external_ref: filterParam(query, 'external_ref'),
    ...since(filterParam(query, 'updated_since')),
  };
  const { items, total } = store.listUsers(filter, range);
  return { status: 200, body: { users: items, page, per_page, total } };
};

const create: Handler = ({ store, body }) => {
  const fields = parseUserFields(requireObject(body), true) as UserInput & { user_name: string };
  return { status: 201, body: store.createUser(fields) };
};

const show: Handler = ({ store }, [rawId]) => {
  const id = parseId(rawId, 'User');
  const user = store.getUser(id);
  if (!user) throw notFound(`User ${id} not found`);
  return { status: 200, body: user };
};

const update: Handler = ({ store, body }, [rawId]) => {
  const id = parseId(rawId, 'User');
  // Look the user up before validating, so a missing user is a 404 even with a bad body.
  if (!store.getUser(id)) throw notFound(`User ${id} not found`);
  return { status: 200, body: store.updateUser(id, parseUserFields(requireObject(body), false)) };
};

const remove: Handler = ({ store }, [rawId]) => {
  store.deleteUser(parseId(rawId, 'User'));
  return { status: 204 };
};

const deactivate: Handler = ({ store }, [rawId]) => ({
  status: 200,
  body: store.setUserStatus(parseId(rawId, 'User'), 'inactive'),
});

const activate: Handler = ({ store }, [rawId]) => ({
  status: 200,
  body: store.setUserStatus(parseId(rawId, 'User'), 'active'),
});

export const userRoutes: Route[] = [
  { path: '/users', methods: { GET: list, POST: create } },
  { path: '/users/:id', methods: { GET: show, PATCH: update, DELETE: remove } },
  { path: '/users/:id/deactivate', methods: { POST: deactivate } },
  { path: '/users/:id/activate', methods: { POST: activate } },
];
