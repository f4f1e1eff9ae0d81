/**
 * The group requests Entra sends (entra-profile.md §2.2): an empty create with Microsoft's schema URI,
 * reads without members, member changes in both of Entra's PATCH dialects, the membership check, rename
 * and delete. Skipped when /ResourceTypes lists no Group.
 */
import { randomUUID } from 'node:crypto';
import {
  expectEqual,
  expectError,
  expectList,
  expectObject,
  expectOnly,
  expectStatus,
  fail,
  filterQuery,
  forget,
  GROUP_SCHEMA,
  idPath,
  MS_GROUP_SCHEMA,
  patchBody,
  quote,
  type Check,
  type Context,
  type State,
} from './check.ts';

const noGroups = (state: State) =>
  state.groupsListed === false ? '/ResourceTypes lists no Group resource type' : undefined;

function group(base: Omit<Check, 'skipWhen'>): Check {
  return { ...base, needs: ['groupsListed', ...(base.needs ?? [])], skipWhen: noGroups };
}

/** The member ids a full GET of the group shows. */
async function memberIds(ctx: Context, id: string): Promise<string[]> {
  const answer = await ctx.client.get(idPath('Groups', id));
  expectStatus(answer, 200);
  const members = expectObject(answer).members ?? [];
  if (!Array.isArray(members)) fail(`GET /Groups/{id} shows members ${quote(members)}, expected an array`);
  return members.map((member: { value?: unknown }) => String(member.value)).sort();
}

async function patchGroup(ctx: Context, id: string, ...operations: unknown[]): Promise<void> {
  expectStatus(await ctx.client.patch(idPath('Groups', id), patchBody(...operations)), 204, 200);
}

export const groupChecks: Check[] = [
  group({
    id: 'groups.probe',
    description: 'GET /Groups?excludedAttributes=members with an unknown displayName gets an empty ListResponse',
    async run({ client }) {
      const answer = await client.get(
        `/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${randomUUID()}"`)}`,
      );
      if (answer.status === 404)
        fail('a query with no match answered 404; Entra expects 200 with an empty ListResponse');
      if (expectList(answer).length !== 0) fail(`a random displayName matched ${answer.body.totalResults} groups`);
    },
  }),
  group({
    id: 'groups.create',
    description: "POST /Groups with Microsoft's extra schema URI and no members gets 201 with an id",
    async run(ctx) {
      const displayName = `scimgw-conformance-${ctx.tag}-group`;
      const answer = await ctx.client.post('/Groups', {
        schemas: [GROUP_SCHEMA, MS_GROUP_SCHEMA],
        externalId: randomUUID(),
        displayName,
        meta: { resourceType: 'Group' },
      });
      expectStatus(answer, 201);
      const body = expectObject(answer);
      if (typeof body.id !== 'string' || body.id === '')
        fail(`the 201 answer has id ${quote(body.id)}, expected a non-empty string`);
      ctx.created.push({ endpoint: 'Groups', id: body.id });
      ctx.state.group = { id: body.id, displayName };
      expectEqual(body.displayName, displayName, 'the created displayName');
    },
  }),
  group({
    id: 'groups.get-without-members',
    description: 'GET /Groups/{id}?excludedAttributes=members returns the group without members',
    needs: ['group'],
    async run({ client, state }) {
      const { id, displayName } = state.group!;
      const answer = await client.get(idPath('Groups', id, 'excludedAttributes=members'));
      expectStatus(answer, 200);
      const body = expectObject(answer);
      expectEqual(body.displayName, displayName, 'the displayName');
      if (body.members !== undefined) fail('the answer carries members although excludedAttributes=members was asked');
    },
  }),
  group({
    id: 'groups.filter-display-name',
    description: 'filter displayName eq with excludedAttributes=members finds the group without members',
    needs: ['group'],
    async run({ client, state }) {
      const { id, displayName } = state.group!;
      const found = expectOnly(
        await client.get(`/Groups?excludedAttributes=members&${filterQuery(`displayName eq "${displayName}"`)}`),
        id,
        'displayName eq',
      );
      if (found.members !== undefined)
        fail('the group in the ListResponse carries members although excludedAttributes=members was asked');
    },
  }),
  group({
    id: 'groups.add-members',
    description: 'PATCH Add members with "$ref": null adds both users (204 or 200)',
    needs: ['group', 'userA', 'userB'],
    async run(ctx) {
      const { id } = ctx.state.group!;
      const users = [ctx.state.userA!.id, ctx.state.userB!.id];
      await patchGroup(ctx, id, { op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) });
      expectEqual(await memberIds(ctx, id), [...users].sort(), 'the member ids after the add');
      ctx.state.membersAdded = true;
    },
  }),
  group({
    id: 'groups.membership-check',
    description: 'filter id eq … and members eq … finds the group for a member, not for anyone else',
    needs: ['group', 'userA', 'membersAdded'],
    async run({ client, state }) {
      const { id } = state.group!;
      expectOnly(
        await client.get(`/Groups?${filterQuery(`id eq "${id}" and members eq "${state.userA!.id}"`)}&attributes=id`),
        id,
        'id eq … and members eq <member>',
      );
      const stranger = expectList(
        await client.get(`/Groups?${filterQuery(`id eq "${id}" and members eq "${randomUUID()}"`)}&attributes=id`),
      );
      if (stranger.length > 0) fail('id eq … and members eq <non-member> found the group');
    },
  }),
  group({
    id: 'groups.remove-member-value',
    description: 'PATCH Remove path members with a value array removes only the listed member',
    needs: ['group', 'userA', 'userB', 'membersAdded'],
    async run(ctx) {
      const { id } = ctx.state.group!;
      await patchGroup(ctx, id, { op: 'Remove', path: 'members', value: [{ $ref: null, value: ctx.state.userA!.id }] });
      const left = await memberIds(ctx, id);
      if (left.length === 0) fail('every member was removed; Entra means "remove only the members in value"');
      expectEqual(left, [ctx.state.userB!.id], 'the member ids after the remove');
    },
  }),
  group({
    id: 'groups.remove-member-filter',
    description: 'PATCH remove path members[value eq "…"] removes that member',
    needs: ['group', 'userB', 'membersAdded'],
    async run(ctx) {
      const { id } = ctx.state.group!;
      const userB = ctx.state.userB!.id;
      await patchGroup(ctx, id, { op: 'remove', path: `members[value eq "${userB}"]` });
      const left = await memberIds(ctx, id);
      if (left.includes(userB)) fail(`the member ${userB} is still in the group`);
    },
  }),
  group({
    id: 'groups.rename',
    description: 'PATCH Replace displayName renames the group',
    needs: ['group'],
    async run(ctx) {
      const group = ctx.state.group!;
      const renamed = `${group.displayName}-renamed`;
      await patchGroup(ctx, group.id, { op: 'Replace', path: 'displayName', value: renamed });
      group.displayName = renamed;
      const answer = await ctx.client.get(idPath('Groups', group.id, 'excludedAttributes=members'));
      expectStatus(answer, 200);
      expectEqual(expectObject(answer).displayName, renamed, 'the displayName after the rename');
    },
  }),
  group({
    id: 'groups.delete',
    description: 'DELETE /Groups/{id} gets 204; then GET gets 404',
    needs: ['group'],
    async run(ctx) {
      const { id } = ctx.state.group!;
      expectStatus(await ctx.client.delete(idPath('Groups', id)), 204);
      forget(ctx, id);
      expectError(await ctx.client.get(idPath('Groups', id)), 404);
    },
  }),
];
