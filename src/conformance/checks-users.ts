/**
 * The user requests Entra sends, with its bodies (entra-profile.md §2.1, §2.6): create, the duplicate,
 * reads and matching queries, each PATCH dialect, and the delete that ends a user's life.
 */
import { randomUUID } from 'node:crypto';
import {
  ENTERPRISE,
  expectEqual,
  expectError,
  expectObject,
  expectOnly,
  expectList,
  expectStatus,
  fail,
  filterQuery,
  forget,
  idPath,
  patchBody,
  quote,
  USER_SCHEMA,
  type Check,
  type Context,
  type CreatedUser,
} from './check.ts';

/** Entra's create-user body (its documented "Create User" request). */
function entraUser(userName: string, externalId: string, active: boolean | string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE],
    externalId,
    userName,
    active,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  };
}

/** POSTs a user and records it for clean-up as soon as the server says it exists. */
async function createUser(
  ctx: Context,
  label: string,
  active: boolean | string,
): Promise<{ user: CreatedUser; body: Record<string, any>; location: string | undefined }> {
  const userName = `scimgw-conformance-${ctx.tag}-${label}@example.com`;
  const externalId = randomUUID();
  const answer = await ctx.client.post('/Users', entraUser(userName, externalId, active));
  expectStatus(answer, 201);
  const body = expectObject(answer);
  if (typeof body.id !== 'string' || body.id === '')
    fail(`the 201 answer has id ${quote(body.id)}, expected a non-empty string`);
  ctx.created.push({ endpoint: 'Users', id: body.id });
  return { user: { id: body.id, userName, externalId }, body, location: answer.headers.location };
}

async function readUser(ctx: Context, id: string): Promise<Record<string, any>> {
  const answer = await ctx.client.get(idPath('Users', id));
  expectStatus(answer, 200);
  return expectObject(answer);
}

async function patchUser(ctx: Context, id: string, ...operations: unknown[]): Promise<void> {
  expectStatus(await ctx.client.patch(idPath('Users', id), patchBody(...operations)), 200, 204);
}

export const userChecks: Check[] = [
  {
    id: 'users.create',
    description: "POST /Users with Entra's body gets 201 with an id and a Location header",
    async run(ctx) {
      const { user, body, location } = await createUser(ctx, 'a', true);
      ctx.state.userA = user;
      expectEqual(body.userName, user.userName, 'the created userName');
      if (!location) fail('the 201 answer has no Location header (RFC 7644 §3.3)');
      if (!location.endsWith(`/Users/${user.id}`) && !location.endsWith(`/Users/${encodeURIComponent(user.id)}`))
        fail(`the Location header ${quote(location)} does not point at /Users/${user.id}`);
    },
  },
  {
    id: 'users.create-string-active',
    description: 'POST /Users with active "True" (a string, as Entra sends it) stores the boolean true',
    async run(ctx) {
      const { user, body } = await createUser(ctx, 'b', 'True');
      ctx.state.userB = user;
      if (body.active !== true) fail(`the created user has active ${quote(body.active)}, expected the boolean true`);
      const read = await readUser(ctx, user.id);
      if (read.active !== true) fail(`GET shows active ${quote(read.active)}, expected the boolean true`);
    },
  },
  {
    id: 'users.duplicate',
    description: 'POST /Users with a taken userName (another externalId) gets 409 uniqueness',
    needs: ['userA'],
    async run(ctx) {
      const taken = ctx.state.userA!.userName;
      const answer = await ctx.client.post('/Users', entraUser(taken.toUpperCase(), randomUUID(), true));
      if (answer.status === 201 && typeof answer.body?.id === 'string')
        ctx.created.push({ endpoint: 'Users', id: answer.body.id });
      const error = expectError(answer, 409);
      if (error.scimType !== 'uniqueness')
        fail(`the 409 Error has scimType ${quote(error.scimType)}, expected "uniqueness"`);
    },
  },
  {
    id: 'users.get',
    description: 'GET /Users/{id} returns the user',
    needs: ['userA'],
    async run(ctx) {
      const { id, userName } = ctx.state.userA!;
      const read = await readUser(ctx, id);
      expectEqual(read.id, id, 'the id');
      expectEqual(read.userName, userName, 'the userName');
      if (!Array.isArray(read.schemas) || !read.schemas.includes(USER_SCHEMA))
        fail(`schemas is ${quote(read.schemas)}, expected it to include "${USER_SCHEMA}"`);
    },
  },
  {
    id: 'users.get-unknown',
    description: 'GET /Users/{unknown id} gets 404 with a SCIM Error',
    async run({ client }) {
      expectError(await client.get(idPath('Users', randomUUID())), 404);
    },
  },
  {
    id: 'users.filter-username',
    description: 'filter userName eq (in another case) finds the user',
    needs: ['userA'],
    async run({ client, state }) {
      const { id, userName } = state.userA!;
      expectOnly(
        await client.get(`/Users?${filterQuery(`userName eq "${userName.toUpperCase()}"`)}`),
        id,
        'userName eq (userName is case-insensitive)',
      );
    },
  },
  {
    id: 'users.filter-external-id',
    description: 'filter externalId eq finds the user',
    needs: ['userA'],
    async run({ client, state }) {
      const { id, externalId } = state.userA!;
      expectOnly(await client.get(`/Users?${filterQuery(`externalId eq "${externalId}"`)}`), id, 'externalId eq');
    },
  },
  {
    id: 'users.disable',
    description: 'PATCH Replace active "False" (a string) disables the user; GET shows active false',
    needs: ['userA'],
    async run(ctx) {
      const { id } = ctx.state.userA!;
      await patchUser(ctx, id, { op: 'Replace', path: 'active', value: 'False' });
      const read = await readUser(ctx, id);
      if (read.active !== false)
        fail(`after the PATCH, GET shows active ${quote(read.active)}, expected the boolean false`);
    },
  },
  {
    id: 'users.patch-no-path',
    description: 'PATCH replace without a path, keys "name.givenName" and an enterprise URN',
    needs: ['userA'],
    async run(ctx) {
      const { id } = ctx.state.userA!;
      const given = `Given${ctx.tag}`;
      const employeeNumber = `E${ctx.tag}`;
      await patchUser(ctx, id, {
        op: 'replace',
        value: { 'name.givenName': given, [`${ENTERPRISE}:employeeNumber`]: employeeNumber },
      });
      const read = await readUser(ctx, id);
      expectEqual(read.name?.givenName, given, 'name.givenName');
      expectEqual(read.name?.familyName, 'familyName', 'name.familyName (which the PATCH did not touch)');
      expectEqual(read[ENTERPRISE]?.employeeNumber, employeeNumber, 'the enterprise employeeNumber');
    },
  },
  {
    id: 'users.patch-filtered-path',
    description: 'PATCH Replace addresses[type eq "work"].formatted creates the missing work address',
    needs: ['userA'],
    async run(ctx) {
      const { id } = ctx.state.userA!;
      const formatted = `1 Conformance Way ${ctx.tag}`;
      await patchUser(ctx, id, { op: 'Replace', path: 'addresses[type eq "work"].formatted', value: formatted });
      const read = await readUser(ctx, id);
      const work = Array.isArray(read.addresses)
        ? read.addresses.find((address: { type?: string }) => address.type === 'work')
        : undefined;
      if (!work)
        fail(
          `GET shows addresses ${quote(read.addresses)}, expected a work address (Entra expects a filtered replace to create it)`,
        );
      expectEqual(work.formatted, formatted, 'the work address formatted');
    },
  },
  {
    id: 'users.patch-manager',
    description: 'PATCH Add the enterprise manager as a bare id string',
    needs: ['userA', 'userB'],
    async run(ctx) {
      const { id } = ctx.state.userA!;
      const manager = ctx.state.userB!.id;
      await patchUser(ctx, id, { op: 'Add', path: `${ENTERPRISE}:manager`, value: manager });
      const read = await readUser(ctx, id);
      expectEqual(read[ENTERPRISE]?.manager?.value, manager, 'the enterprise manager.value');
    },
  },
  {
    id: 'users.rename',
    description: 'PATCH Replace userName renames the user; queries find the new name only',
    needs: ['userA'],
    async run(ctx) {
      const user = ctx.state.userA!;
      const renamed = `scimgw-conformance-${ctx.tag}-a-renamed@example.com`;
      await patchUser(ctx, user.id, { op: 'Replace', path: 'userName', value: renamed });
      const old = user.userName;
      user.userName = renamed;
      expectEqual((await readUser(ctx, user.id)).userName, renamed, 'the userName after the rename');
      expectOnly(
        await ctx.client.get(`/Users?${filterQuery(`userName eq "${renamed}"`)}`),
        user.id,
        'userName eq <new name>',
      );
      const stale = expectList(await ctx.client.get(`/Users?${filterQuery(`userName eq "${old}"`)}`));
      if (stale.length > 0) fail(`userName eq <old name> still finds ${quote(stale.map((r) => r.id))}`);
    },
  },
];

export const userDeleteCheck: Check = {
  id: 'users.delete',
  description: 'DELETE /Users/{id} gets 204; then GET gets 404 and queries no longer find it',
  needs: ['userA'],
  async run(ctx) {
    const { id, userName } = ctx.state.userA!;
    expectStatus(await ctx.client.delete(idPath('Users', id)), 204);
    forget(ctx, id);
    expectError(await ctx.client.get(idPath('Users', id)), 404);
    const found = expectList(await ctx.client.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`));
    if (found.length > 0) fail(`userName eq still finds the deleted user (${quote(found.map((r) => r.id))})`);
  },
};
