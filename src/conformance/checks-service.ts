/**
 * Checks on the endpoint as a whole: credentials, Test Connection, the discovery endpoints and the content
 * type of every answer (entra-profile.md §2.1a, §2.3, §2.4, §3).
 */
import { randomUUID } from 'node:crypto';
import {
  expectError,
  expectList,
  expectObject,
  expectStatus,
  fail,
  filterQuery,
  quote,
  USER_SCHEMA,
  type Check,
} from './check.ts';

export const serviceChecks: Check[] = [
  {
    id: 'auth.missing-token',
    description: 'a request without a token gets 401 with a SCIM Error',
    async run({ client }) {
      expectError(await client.get('/Users?count=1', { token: null }), 401);
    },
  },
  {
    id: 'auth.wrong-token',
    description: 'a request with a wrong token gets 401 with a SCIM Error',
    async run({ client }) {
      expectError(await client.get('/Users?count=1', { token: `wrong-${randomUUID()}` }), 401);
    },
  },
  {
    id: 'users.test-connection',
    description: 'Test Connection: a random GUID userName gets 200 with an empty ListResponse',
    async run({ client }) {
      const answer = await client.get(`/Users?${filterQuery(`userName eq "${randomUUID()}"`)}`);
      if (answer.status === 404)
        fail(
          'a query with no match answered 404; Entra expects 200 with an empty ListResponse and quarantines the job on 404',
        );
      const resources = expectList(answer);
      if (answer.body.totalResults !== 0 || resources.length !== 0)
        fail(`a random GUID userName matched ${answer.body.totalResults} users`);
    },
  },
  {
    id: 'discovery.service-provider-config',
    description: 'GET /ServiceProviderConfig says PATCH is supported',
    async run({ client }) {
      const answer = await client.get('/ServiceProviderConfig');
      expectStatus(answer, 200);
      const body = expectObject(answer);
      if (
        !Array.isArray(body.schemas) ||
        !body.schemas.includes('urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig')
      )
        fail(`schemas is ${quote(body.schemas)}, expected the ServiceProviderConfig schema`);
      if (body.patch?.supported !== true)
        fail(
          `patch.supported is ${quote(body.patch?.supported)}; Entra only provisions groups (and updates users) through PATCH`,
        );
      if (!Array.isArray(body.authenticationSchemes)) fail('authenticationSchemes is missing');
    },
  },
  {
    id: 'discovery.resource-types',
    description: 'GET /ResourceTypes lists User at /Users',
    async run({ client, state }) {
      const types = expectList(await client.get('/ResourceTypes'));
      const user = types.find((type) => type.id === 'User' || type.name === 'User');
      if (!user) fail(`no User resource type among ${quote(types.map((type) => type.id))}`);
      if (user.endpoint !== '/Users')
        fail(`the User resource type's endpoint is ${quote(user.endpoint)}, expected "/Users"`);
      if (user.schema !== USER_SCHEMA)
        fail(`the User resource type's schema is ${quote(user.schema)}, expected "${USER_SCHEMA}"`);
      state.groupsListed = types.some((type) => type.id === 'Group' || type.name === 'Group');
    },
  },
  {
    id: 'discovery.schemas',
    description: 'GET /Schemas lists the core User schema with its attributes',
    async run({ client }) {
      const schemas = expectList(await client.get('/Schemas'));
      const user = schemas.find((schema) => schema.id === USER_SCHEMA);
      if (!user) fail(`the core User schema is not listed (ids: ${quote(schemas.map((schema) => schema.id))})`);
      if (
        !Array.isArray(user.attributes) ||
        !user.attributes.some((attribute: { name?: string }) => attribute.name === 'userName')
      )
        fail('the User schema has no userName attribute');
    },
  },
];

/** Runs last: it judges every answer the run received. */
export const contentTypeCheck: Check = {
  id: 'content-type',
  description: 'every answer with a body is application/scim+json',
  async run({ client }) {
    const wrong = client.answers.filter(
      (answer) => answer.text.length > 0 && !/^application\/scim\+json\b/i.test(answer.headers['content-type'] ?? ''),
    );
    if (wrong.length === 0) return;
    const first = wrong[0]!;
    fail(
      `${wrong.length} of ${client.answers.length} answers had another type, first ${first.method} ${first.path.split('?')[0]} with ${quote(first.headers['content-type'] ?? 'no Content-Type')}`,
    );
  },
};
