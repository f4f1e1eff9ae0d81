/**
 * What a conformance check is, what checks share while a run goes on, and the assertions they use. A check
 * throws CheckFailed with a sentence a SCIM server author can act on; anything else it throws (a timeout, a
 * refused connection) is reported the same way by the runner.
 */
import type { ScimAnswer, ScimClient } from './client.ts';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Microsoft's own group schema URI, which Entra puts in every group create. */
export const MS_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export interface CreatedUser {
  id: string;
  userName: string;
  externalId: string;
}

/** What earlier checks leave for later ones. Each key is set by one check (see STATE_SOURCES). */
export interface State {
  userA?: CreatedUser;
  userB?: CreatedUser;
  /** True when /ResourceTypes lists a Group type; groups are not checked otherwise. */
  groupsListed?: boolean;
  group?: { id: string; displayName: string };
  membersAdded?: boolean;
}

export const STATE_SOURCES: Record<keyof State, string> = {
  userA: 'users.create',
  userB: 'users.create-string-active',
  groupsListed: 'discovery.resource-types',
  group: 'groups.create',
  membersAdded: 'groups.add-members',
};

export interface Context {
  client: ScimClient;
  /** Random per run, in every name the run creates, so runs never collide and leftovers are recognisable. */
  tag: string;
  state: State;
  /** Resources created and not yet deleted; the runner deletes what is left at the end. */
  created: { endpoint: 'Users' | 'Groups'; id: string }[];
}

export interface Check {
  id: string;
  description: string;
  /** State keys this check cannot run without; a missing one makes it SKIP. */
  needs?: (keyof State)[];
  /** A reason to skip that is not a failed dependency (e.g. the server has no groups). */
  skipWhen?: (state: State) => string | undefined;
  run(ctx: Context): Promise<void>;
}

export class CheckFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailed';
  }
}

export function fail(message: string): never {
  throw new CheckFailed(message);
}

export function quote(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** "GET /Users/x answered 500 (detail: …)" with the SCIM detail when there is one. */
export function describeAnswer(answer: ScimAnswer): string {
  const detail = typeof answer.body?.detail === 'string' ? ` (detail: ${answer.body.detail.slice(0, 160)})` : '';
  return `${answer.method} ${answer.path.split('?')[0]} answered ${answer.status}${detail}`;
}

export function expectStatus(answer: ScimAnswer, ...expected: number[]): void {
  if (!expected.includes(answer.status)) fail(`${describeAnswer(answer)}, expected ${expected.join(' or ')}`);
}

export function expectObject(answer: ScimAnswer): Record<string, any> {
  const body = answer.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    fail(`${answer.method} ${answer.path.split('?')[0]} answered ${answer.status} without a JSON object body`);
  return body;
}

/** A SCIM Error (RFC 7644 §3.12): the Error schema and the status, as a string (Entra tolerates a number). */
export function expectError(answer: ScimAnswer, status: number): Record<string, any> {
  expectStatus(answer, status);
  const body = expectObject(answer);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(ERROR_SCHEMA))
    fail(`the ${status} answer is not a SCIM Error: schemas is ${quote(body.schemas)}, expected ["${ERROR_SCHEMA}"]`);
  if (String(body.status) !== String(status))
    fail(`the ${status} Error body has status ${quote(body.status)}, expected "${status}"`);
  return body;
}

/** A 200 ListResponse; returns its Resources (empty when there are none). */
export function expectList(answer: ScimAnswer): Record<string, any>[] {
  if (answer.status === 404)
    fail(
      `${describeAnswer(answer)}; a query that matches nothing must answer 200 with an empty ListResponse, never 404`,
    );
  expectStatus(answer, 200);
  const body = expectObject(answer);
  if (!Array.isArray(body.schemas) || !body.schemas.includes(LIST_RESPONSE))
    fail(`the answer is not a ListResponse: schemas is ${quote(body.schemas)}`);
  if (typeof body.totalResults !== 'number')
    fail(`the ListResponse has totalResults ${quote(body.totalResults)}, expected a number`);
  const resources = body.Resources ?? [];
  if (!Array.isArray(resources)) fail(`the ListResponse has Resources ${quote(body.Resources)}, expected an array`);
  if (body.totalResults > 0 && resources.length === 0)
    fail(`the ListResponse says totalResults ${body.totalResults} but has no Resources`);
  return resources;
}

/** A query expected to find exactly the resource with `id`. */
export function expectOnly(answer: ScimAnswer, id: string, what: string): Record<string, any> {
  if (answer.status === 404)
    fail(`${what} found nothing: ${describeAnswer(answer)}, expected 200 with the resource ${id}`);
  const resources = expectList(answer);
  if (resources.length === 0)
    fail(`${what} found nothing (totalResults ${answer.body.totalResults}), expected the resource ${id}`);
  if (resources.length > 1 || resources[0]!.id !== id)
    fail(`${what} found ${quote(resources.map((r) => r.id))}, expected only ${id}`);
  return resources[0]!;
}

export function expectEqual(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    fail(`${what} is ${quote(actual)}, expected ${quote(expected)}`);
}

export function patchBody(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** A filter query string, encoded as Entra sends it. */
export function filterQuery(filter: string, extra = ''): string {
  return `filter=${encodeURIComponent(filter)}${extra}`;
}

export function idPath(endpoint: 'Users' | 'Groups', id: string, query = ''): string {
  return `/${endpoint}/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;
}

export function forget(ctx: Context, id: string): void {
  ctx.created = ctx.created.filter((resource) => resource.id !== id);
}
