/**
 * The demo app's own OpenAPI 3.1 description, served at GET /openapi.json. The demo connector is held
 * against it by `connector check-spec` (a test keeps connectors/demo/openapi/demo-app.json equal to what
 * the app serves), and `connector from-openapi` drafts a connector from it.
 */
import { MAX_BULK_MEMBERS } from './routes-teams.ts';

type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json) => ({ content: { 'application/json': { schema } } });
const nullable = (type: string, extra: Json = {}) => ({ type: [type, 'null'], ...extra });

function answers(success: Record<string, Json>, errors: number[]): Json {
  const described: Record<number, string> = {
    400: 'A query parameter is malformed (error.field names it)',
    401: 'Missing or invalid X-Api-Key header',
    404: 'No such user or team',
    413: 'Request body over 1 MiB',
    422: 'A field is missing, invalid or taken (error.code "invalid" or "taken", error.field names it)',
    429: 'Over the rate limit; Retry-After says when to come back',
  };
  const out: Json = { ...success };
  for (const status of [401, ...errors, 429])
    out[String(status)] = { description: described[status], ...json(ref('Error')) };
  return out;
}

const paging = [
  { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 } },
  { name: 'per_page', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
];
const filter = (name: string, description: string) => ({ name, in: 'query', description, schema: { type: 'string' } });
const id = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'integer', minimum: 1 } });

const office = {
  type: ['object', 'null'],
  properties: Object.fromEntries(
    ['street', 'city', 'region', 'zip', 'country', 'label'].map((key) => [key, nullable('string')]),
  ),
};

const userFields: Json = {
  user_name: { type: 'string', minLength: 1, description: 'Unique, case-insensitively.' },
  email: nullable('string'),
  first_name: nullable('string'),
  last_name: nullable('string'),
  full_name: nullable('string'),
  display_name: nullable('string'),
  job_title: nullable('string'),
  preferred_language: nullable('string'),
  phone_work: nullable('string'),
  phone_mobile: nullable('string'),
  fax: nullable('string'),
  office,
  external_ref: nullable('string'),
  employee_no: nullable('string'),
  department: nullable('string'),
  manager_id: nullable('integer', { description: "Another user's id." }),
  status: { type: 'string', enum: ['active', 'inactive'] },
  roles: {
    type: ['array', 'null'],
    items: { type: 'string', minLength: 1 },
    description: 'Role names; replaced whole.',
  },
  custom_fields: {
    type: 'object',
    description: 'Customer-defined fields by name; a write merges them, null removes one.',
    propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' },
    additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
  },
};

const stamps = {
  created_at: { type: 'string', format: 'date-time' },
  updated_at: { type: 'string', format: 'date-time' },
};
const teamFields: Json = {
  name: { type: 'string', minLength: 1, description: 'Unique, case-insensitively.' },
  description: nullable('string'),
  external_ref: nullable('string'),
};
const list = (key: string, item: string) => ({
  type: 'object',
  required: [key, 'page', 'per_page', 'total'],
  properties: {
    [key]: { type: 'array', items: ref(item) },
    page: { type: 'integer' },
    per_page: { type: 'integer' },
    total: { type: 'integer' },
  },
});

/** The user routes: CRUD, search by user_name or email, (de)activation. */
function userPaths(): Json {
  return {
    '/users': {
      get: {
        operationId: 'listUsers',
        parameters: [
          ...paging,
          filter('user_name', 'Exact, case-insensitive'),
          filter('email', 'Exact, case-insensitive'),
          filter('external_ref', 'Exact'),
          {
            name: 'updated_since',
            in: 'query',
            description: 'Users created or changed at or after this time',
            schema: { type: 'string', format: 'date-time' },
          },
        ],
        responses: answers({ 200: { description: 'A page of users', ...json(list('users', 'User')) } }, [400]),
      },
      post: {
        operationId: 'createUser',
        requestBody: { required: true, ...json(ref('UserCreate')) },
        responses: answers({ 201: { description: 'Created', ...json(ref('User')) } }, [413, 422]),
      },
    },
    '/users/{id}': {
      parameters: [id('id')],
      get: {
        operationId: 'getUser',
        responses: answers({ 200: { description: 'The user', ...json(ref('User')) } }, [404]),
      },
      patch: {
        operationId: 'updateUser',
        requestBody: { required: true, ...json(ref('UserUpdate')) },
        responses: answers({ 200: { description: 'Updated', ...json(ref('User')) } }, [404, 413, 422]),
      },
      delete: {
        operationId: 'deleteUser',
        responses: answers({ 204: { description: "Deleted, with the user's memberships" } }, [404]),
      },
    },
    '/users/{id}/deactivate': {
      parameters: [id('id')],
      post: {
        operationId: 'deactivateUser',
        responses: answers({ 200: { description: 'Now inactive', ...json(ref('User')) } }, [404]),
      },
    },
    '/users/{id}/activate': {
      parameters: [id('id')],
      post: {
        operationId: 'activateUser',
        responses: answers({ 200: { description: 'Now active', ...json(ref('User')) } }, [404]),
      },
    },
  };
}

/** The team routes, membership included. */
function teamPaths(): Json {
  return {
    '/teams': {
      get: {
        operationId: 'listTeams',
        parameters: [...paging, filter('name', 'Exact, case-insensitive'), filter('external_ref', 'Exact')],
        responses: answers({ 200: { description: 'A page of teams', ...json(list('teams', 'Team')) } }, []),
      },
      post: {
        operationId: 'createTeam',
        requestBody: { required: true, ...json(ref('TeamCreate')) },
        responses: answers({ 201: { description: 'Created', ...json(ref('Team')) } }, [413, 422]),
      },
    },
    '/teams/{id}': {
      parameters: [id('id')],
      get: {
        operationId: 'getTeam',
        responses: answers({ 200: { description: 'The team', ...json(ref('Team')) } }, [404]),
      },
      patch: {
        operationId: 'updateTeam',
        requestBody: { required: true, ...json(ref('TeamUpdate')) },
        responses: answers({ 200: { description: 'Updated', ...json(ref('Team')) } }, [404, 413, 422]),
      },
      delete: {
        operationId: 'deleteTeam',
        responses: answers({ 204: { description: 'Deleted, with its memberships' } }, [404]),
      },
    },
    '/teams/{id}/members': {
      parameters: [id('id')],
      get: {
        operationId: 'listMembers',
        parameters: paging,
        responses: answers(
          { 200: { description: 'A page of members, by user id', ...json(list('members', 'Member')) } },
          [404],
        ),
      },
      post: {
        operationId: 'addMembers',
        description: `Adds up to ${MAX_BULK_MEMBERS} users at once; all or none (an unknown user id is a 422).`,
        requestBody: {
          required: true,
          ...json({
            type: 'object',
            required: ['user_ids'],
            properties: {
              user_ids: {
                type: 'array',
                minItems: 1,
                maxItems: MAX_BULK_MEMBERS,
                items: { type: 'integer', minimum: 1 },
              },
            },
          }),
        },
        responses: answers({ 204: { description: 'Members now' } }, [404, 422]),
      },
      delete: {
        operationId: 'removeMembers',
        parameters: [
          {
            name: 'user_ids',
            in: 'query',
            required: true,
            style: 'form',
            explode: false,
            schema: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_BULK_MEMBERS,
              items: { type: 'integer', minimum: 1 },
            },
          },
        ],
        responses: answers(
          { 204: { description: 'Not members now (removing a non-member is not an error)' } },
          [404, 422],
        ),
      },
    },
    '/teams/{id}/members/{userId}': {
      parameters: [id('id'), id('userId')],
      put: {
        operationId: 'addMember',
        responses: answers({ 204: { description: 'A member now (idempotent)' } }, [404]),
      },
      delete: {
        operationId: 'removeMember',
        responses: answers({ 204: { description: 'Not a member now (idempotent)' } }, [404]),
      },
    },
  };
}

export function demoOpenApi(): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Demo app',
      version: '1.0.0',
      description: "The SCIM gateway's demo REST API: deliberately not SCIM.",
    },
    servers: [{ url: '/api' }],
    security: [{ apiKey: [] }],
    paths: { ...userPaths(), ...teamPaths() },
    components: {
      securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
      schemas: {
        User: {
          type: 'object',
          required: ['id', 'user_name', 'status', 'roles', 'custom_fields', 'created_at', 'updated_at'],
          properties: { id: { type: 'integer' }, ...userFields, ...stamps },
        },
        UserCreate: { type: 'object', required: ['user_name'], properties: userFields },
        UserUpdate: { type: 'object', properties: userFields },
        Team: {
          type: 'object',
          required: ['id', 'name', 'created_at', 'updated_at'],
          properties: { id: { type: 'integer' }, ...teamFields, ...stamps },
        },
        TeamCreate: { type: 'object', required: ['name'], properties: teamFields },
        TeamUpdate: { type: 'object', properties: teamFields },
        Member: {
          type: 'object',
          required: ['user_id', 'added_at'],
          properties: { user_id: { type: 'integer' }, added_at: { type: 'string', format: 'date-time' } },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
            },
          },
        },
      },
    },
  };
}
