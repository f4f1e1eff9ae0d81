/**
 * The Entra requests a drafted connector is recorded with: the provisioning lifecycle Entra runs against
 * every app (create, read, the userName filter it matches with, attribute updates, disable and enable,
 * delete, group create, rename, member changes and delete) in the shapes Entra sends them — "True" as a
 * string, PATCH ops with capitalised names, members with $ref null — plus the failures every app has:
 * an object deleted in the app, a 429 and a 503 that outlasts the retries.
 */
import type { FixtureCase } from '../../testing/fixture.ts';
import type { Collection } from './analyze.ts';
import type { ProposedMappings } from './mappings.ts';
import { exampleOf, type Override } from './record.ts';

export interface DraftCase {
  name: string;
  description: string;
  request: FixtureCase['request'];
  given?: FixtureCase['given'];
  overrides?: Override[];
  /** The SCIM status the case should end with; a different one is reported for review. */
  expect?: number;
}

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const USER_NAME = 'jane.doe@example.com';
const routeOf = (route: { method: string; path: string }) => `${route.method.toUpperCase()} ${route.path}`;
const patch = (...operations: object[]) => ({ schemas: [PATCH], Operations: operations });
const documents = (route: { operation: Record<string, unknown> } | undefined, status: string) =>
  Boolean(
    route &&
    typeof route.operation.responses === 'object' &&
    route.operation.responses &&
    status in route.operation.responses,
  );
/** A list answer holding these objects, in the collection's page shape. */
const page = (collection: Collection, objects: unknown[]) =>
  collection.items ? { [collection.items]: objects } : objects;

const givenUser = {
  users: { 'u-1': { appId: '101', userName: USER_NAME, shadow: { userName: USER_NAME, active: true } } },
};

/** Entra's create, in the shape it sends it. */
function userCreateCases(users: Collection): DraftCase[] {
  const out: DraftCase[] = [];
  if (users.create) {
    out.push({
      name: 'users-create',
      description:
        'Entra\'s create (active as the string "True", a work e-mail, a name and the enterprise extension) is mapped and the app\'s id kept',
      request: {
        method: 'POST',
        path: '/Users',
        body: {
          schemas: [USER, ENTERPRISE],
          externalId: 'e-1',
          userName: USER_NAME,
          active: 'True',
          displayName: 'Jane Doe',
          title: 'Engineer',
          emails: [{ primary: true, type: 'work', value: USER_NAME }],
          name: { givenName: 'Jane', familyName: 'Doe' },
          [ENTERPRISE]: { department: 'Research', employeeNumber: '1001' },
        },
      },
      expect: 201,
    });
  }
  return out;
}

/** Reads by id (found, gone, rate limited, failing) and Entra's matching query. */
function userReadCases(users: Collection): DraftCase[] {
  const given = givenUser;
  const out: DraftCase[] = [];
  if (users.get) {
    out.push({
      name: 'users-get',
      description: 'Entra reads a user it provisioned',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      expect: 200,
    });
    out.push({
      name: 'users-get-not-found',
      description: 'a user deleted in the app is 404 to Entra',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      overrides: [{ route: routeOf(users.get), status: 404, body: { message: 'Not Found' } }],
      expect: 404,
    });
    if (documents(users.get, '429'))
      out.push({
        name: 'users-get-rate-limited',
        description: 'a 429 with Retry-After is waited out and the read succeeds',
        given,
        request: { method: 'GET', path: '/Users/u-1' },
        overrides: [
          {
            route: routeOf(users.get),
            status: 429,
            headers: { 'retry-after': '1' },
            body: { message: 'Too Many Requests' },
            times: 1,
          },
        ],
        expect: 200,
      });
    out.push({
      name: 'users-get-unavailable',
      description: 'an app that keeps failing is retried, then Entra gets 503 with Retry-After',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      overrides: [{ route: routeOf(users.get), status: 503, body: { message: 'Service Unavailable' }, times: 10 }],
      expect: 503,
    });
  }
  if (users.list) {
    const filter = { filter: `userName eq "${USER_NAME}"` };
    out.push({
      name: 'users-filter',
      description: "Entra's matching query (userName eq) before it creates a user",
      request: { method: 'GET', path: '/Users', query: filter },
      expect: 200,
    });
    out.push({
      name: 'users-filter-miss',
      description: 'no match: Entra gets an empty list and goes on to create the user',
      request: { method: 'GET', path: '/Users', query: filter },
      overrides: [{ route: routeOf(users.list), status: 200, body: page(users, []) }],
      expect: 200,
    });
  }
  return out;
}

/** The 409 a vendor gives for a user it already has: the gateway adopts it by userName. */
function userAdoptCases(users: Collection, mappings: ProposedMappings | undefined): DraftCase[] {
  const out: DraftCase[] = [];
  if (users.create && users.list && mappings?.userNameField && documents(users.create, '409')) {
    const existing = {
      ...(exampleOf(users.schema) as object),
      [users.idField]: exampleOf({ type: 'integer' }, 'id'),
      [mappings.userNameField]: USER_NAME,
    };
    out.push({
      name: 'users-create-conflict-adopt',
      description:
        'the app says the user exists (409): the gateway finds it by userName and links it instead of failing',
      request: {
        method: 'POST',
        path: '/Users',
        body: { schemas: [USER], userName: USER_NAME, active: 'True', externalId: 'e-1' },
      },
      overrides: [
        { route: routeOf(users.create), status: 409, body: { message: 'already exists' } },
        { route: routeOf(users.list), status: 200, body: page(users, [existing]) },
      ],
      expect: 201,
    });
  }
  return out;
}

/** Attribute updates, disable and enable, delete. */
function userChangeCases(users: Collection, mappings: ProposedMappings | undefined): DraftCase[] {
  const given = givenUser;
  const out: DraftCase[] = [];
  if (users.update) {
    out.push({
      name: 'users-update',
      description: "Entra's attribute update: PATCH Replace ops, one per changed attribute",
      given,
      request: {
        method: 'PATCH',
        path: '/Users/u-1',
        body: patch(
          { op: 'Replace', path: 'displayName', value: 'Jane Q. Doe' },
          { op: 'Replace', path: 'title', value: 'Lead Engineer' },
        ),
      },
      expect: 204,
    });
  }
  const canDisable = Boolean((users.deactivate && users.reactivate) || (users.update && mappings?.active));
  if (canDisable) {
    out.push({
      name: 'users-disable',
      description: 'Entra disables a user (active as the string "False")',
      given,
      request: { method: 'PATCH', path: '/Users/u-1', body: patch({ op: 'Replace', path: 'active', value: 'False' }) },
      expect: 204,
    });
    const disabled = { users: { 'u-1': { ...given.users['u-1'], shadow: { userName: USER_NAME, active: false } } } };
    out.push({
      name: 'users-enable',
      description: 'Entra enables the user again',
      given: disabled,
      request: { method: 'PATCH', path: '/Users/u-1', body: patch({ op: 'Replace', path: 'active', value: true }) },
      expect: 204,
    });
  }
  if (users.delete)
    out.push({
      name: 'users-delete',
      description: 'Entra deletes a user (after its soft-delete period, or when deprovisioning deletes)',
      given,
      request: { method: 'DELETE', path: '/Users/u-1' },
      expect: 204,
    });
  return out;
}

const givenGroup = {
  groups: { 'g-1': { appId: '101', displayName: 'Engineering', shadow: { displayName: 'Engineering' } } },
};

/** A group's own lifecycle: create, read, match, rename, delete. */
function groupCases(groups: Collection): DraftCase[] {
  const given = givenGroup;
  const out: DraftCase[] = [];
  if (groups.create)
    out.push({
      name: 'groups-create',
      description: 'Entra creates a group (members follow in PATCH calls)',
      request: {
        method: 'POST',
        path: '/Groups',
        body: { schemas: [GROUP], externalId: 'g-e-1', displayName: 'Engineering' },
      },
      expect: 201,
    });
  if (groups.get)
    out.push({
      name: 'groups-get',
      description: 'Entra reads a group without its members',
      given,
      request: { method: 'GET', path: '/Groups/g-1', query: { excludedAttributes: 'members' } },
      expect: 200,
    });
  if (groups.list)
    out.push({
      name: 'groups-filter',
      description: "Entra's matching query for a group (displayName eq)",
      request: {
        method: 'GET',
        path: '/Groups',
        query: { filter: 'displayName eq "Engineering"', excludedAttributes: 'members' },
      },
      expect: 200,
    });
  if (groups.update)
    out.push({
      name: 'groups-rename',
      description: 'Entra renames a group',
      given,
      request: {
        method: 'PATCH',
        path: '/Groups/g-1',
        body: patch({ op: 'Replace', path: 'displayName', value: 'Engineering EMEA' }),
      },
      expect: 204,
    });
  out.push(...memberCases(groups));
  if (groups.delete)
    out.push({
      name: 'groups-delete',
      description: 'Entra deletes a group',
      given,
      request: { method: 'DELETE', path: '/Groups/g-1' },
      expect: 204,
    });
  return out;
}

/** Member add and remove, one by one and in bulk, and a group read with its members. */
function memberCases(groups: Collection): DraftCase[] {
  const given = givenGroup;
  const out: DraftCase[] = [];
  const members = groups.members;
  if (members?.add && members.remove) {
    out.push({
      name: 'groups-members-change',
      description: "Entra's member add and remove ($ref null, the users' SCIM ids)",
      given: {
        ...given,
        users: {
          'u-1': { appId: '101', userName: 'a@example.com' },
          'u-2': { appId: '102', userName: 'b@example.com' },
        },
      },
      request: {
        method: 'PATCH',
        path: '/Groups/g-1',
        body: patch(
          { op: 'Add', path: 'members', value: [{ $ref: null, value: 'u-1' }] },
          { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u-2' }] },
        ),
      },
      expect: 204,
    });
  }
  if (groups.get && members?.list) {
    out.push({
      name: 'groups-get-members',
      description: 'a group read with its members lists them from the app and answers SCIM ids',
      given: { ...given, users: { 'u-1': { appId: '101', userName: 'a@example.com' } } },
      request: { method: 'GET', path: '/Groups/g-1' },
      expect: 200,
    });
  }
  if (members?.addMany || members?.removeMany) {
    const users = {
      'u-1': { appId: '101', userName: 'a@example.com' },
      'u-2': { appId: '102', userName: 'b@example.com' },
      'u-3': { appId: '103', userName: 'c@example.com' },
      'u-4': { appId: '104', userName: 'd@example.com' },
    };
    out.push({
      name: 'groups-members-bulk',
      description: 'several members added and removed in one PATCH go as bulk calls',
      given: {
        groups: {
          'g-1': {
            ...given.groups['g-1'],
            shadow: { displayName: 'Engineering', members: [{ value: 'u-3' }, { value: 'u-4' }] },
          },
        },
        users,
      },
      request: {
        method: 'PATCH',
        path: '/Groups/g-1',
        body: patch(
          {
            op: 'Add',
            path: 'members',
            value: [
              { $ref: null, value: 'u-1' },
              { $ref: null, value: 'u-2' },
            ],
          },
          { op: 'Remove', path: 'members', value: [{ value: 'u-3' }, { value: 'u-4' }] },
        ),
      },
      expect: 204,
    });
  }
  return out;
}

export function draftCases(input: {
  users?: Collection | undefined;
  groups?: Collection | undefined;
  userMappings?: ProposedMappings | undefined;
}): DraftCase[] {
  return [
    ...(input.users
      ? [
          ...userCreateCases(input.users),
          ...userReadCases(input.users),
          ...userAdoptCases(input.users, input.userMappings),
          ...userChangeCases(input.users, input.userMappings),
        ]
      : []),
    ...(input.groups ? groupCases(input.groups) : []),
  ];
}
