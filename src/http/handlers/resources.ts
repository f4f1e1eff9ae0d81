/**
 * /Users and /Groups: query (GET and POST .search), get, create, replace, patch and delete, with
 * attributes/excludedAttributes, ETag/If-Match/If-None-Match and the status codes Entra expects
 * (201 with Location, 204 for PATCH unless attributes were asked for, 204 for DELETE).
 */
import type { Context } from 'koa';
import type { ResourceKind } from '../../core/id-map.ts';
import type { Provisioning } from '../../core/provisioning.ts';
import { etagMatches, versionOf } from '../../core/provisioning.ts';
import type { ResourceView } from '../../core/views.ts';
import { ScimRequestError } from '../../errors.ts';
import { listResponse, parsePage } from '../../scim/messages/list-response.ts';
import { parseAttributeList, type Projection } from '../../scim/resource/project.ts';
import { isObject } from '../../scim/resource/normalize.ts';
import { parseSortOrder } from '../../scim/resource/sort.ts';
import { URN } from '../../scim/schema/urns.ts';
import { isMembersPath } from '../../scim/schema/canonical.ts';
import { groupResourceType } from '../../scim/schema/core-schemas.ts';
import type { AppResourceTypes } from '../../scim/schema/extensions.ts';
import type { CallContext } from '../../core/app-connector.ts';
import { location, renderResource } from '../render.ts';
import { sendScim } from '../scim-response.ts';

export interface RequestScope {
  provisioning: Provisioning;
  resourceTypes: AppResourceTypes;
  baseUrl: string;
  context: CallContext;
}

/** Query parameters by case-insensitive name (clients send startindex, Count…). */
function param(ctx: Context, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(ctx.query)) {
    if (key.toLowerCase() === lower) return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
}

function projectionOf(source: (name: string) => unknown): Projection {
  const attributes = parseAttributeList(source('attributes'));
  const excludedAttributes = parseAttributeList(source('excludedAttributes'));
  return { ...(attributes ? { attributes } : {}), ...(excludedAttributes ? { excludedAttributes } : {}) };
}

function wantsMembers(projection: Projection): boolean {
  const mentions = (list: string[] | undefined) =>
    list?.some((name) => isMembersPath(groupResourceType, name)) ?? false;
  if (projection.attributes) return mentions(projection.attributes);
  return !mentions(projection.excludedAttributes);
}

async function runQuery(
  ctx: Context,
  kind: ResourceKind,
  scope: RequestScope,
  source: (name: string) => unknown,
): Promise<void> {
  const projection = projectionOf(source);
  const page = parsePage(source('startIndex'), source('count'));
  const filter = source('filter');
  const sortBy = source('sortBy');
  if (filter !== undefined && typeof filter !== 'string')
    throw new ScimRequestError('invalidFilter', '"filter" must be a string');
  const result = await scope.provisioning.query(
    kind,
    {
      ...(typeof filter === 'string' ? { filter } : {}),
      ...(typeof sortBy === 'string' && sortBy !== '' ? { sortBy } : {}),
      sortOrder: parseSortOrder(source('sortOrder')),
      startIndex: page.startIndex,
      count: page.count,
      members: kind === 'Group' && wantsMembers(projection),
    },
    scope.context,
  );
  const resources = result.resources.map((view) =>
    renderResource(scope.resourceTypes[kind], view, scope.baseUrl, projection),
  );
  sendScim(ctx, 200, listResponse(resources, result.totalResults, result.startIndex));
}

export function list(kind: ResourceKind) {
  return (ctx: Context, scope: RequestScope) => runQuery(ctx, kind, scope, (name) => param(ctx, name));
}

/** POST /Users/.search: the same query, parameters in a SearchRequest body (RFC 7644 §3.4.3). */
export function search(kind: ResourceKind) {
  return (ctx: Context, scope: RequestScope) => {
    const body = ctx.state.body as unknown;
    if (
      !isObject(body) ||
      !Array.isArray(body.schemas) ||
      !body.schemas.some((s) => typeof s === 'string' && s.toLowerCase() === URN.searchRequest.toLowerCase())
    ) {
      throw new ScimRequestError(
        'invalidSyntax',
        `A search body must be an object listing "${URN.searchRequest}" in "schemas"`,
      );
    }
    return runQuery(ctx, kind, scope, (name) => {
      const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
      const value = key === undefined ? undefined : body[key];
      return Array.isArray(value) ? value.join(',') : value;
    });
  };
}

function sendView(
  ctx: Context,
  kind: ResourceKind,
  view: ResourceView,
  scope: RequestScope,
  status: number,
  projection: Projection,
): void {
  ctx.set('ETag', versionOf(view));
  sendScim(ctx, status, renderResource(scope.resourceTypes[kind], view, scope.baseUrl, projection));
}

export function get(kind: ResourceKind) {
  return async (ctx: Context, scope: RequestScope, id: string) => {
    const projection = projectionOf((name) => param(ctx, name));
    const view = await scope.provisioning.get(kind, id, scope.context, {
      members: kind === 'Group' && wantsMembers(projection),
    });
    const ifNoneMatch = ctx.get('if-none-match');
    if (ifNoneMatch && etagMatches(ifNoneMatch, versionOf(view))) {
      ctx.set('ETag', versionOf(view));
      ctx.status = 304;
      return;
    }
    sendView(ctx, kind, view, scope, 200, projection);
  };
}

export function create(kind: ResourceKind) {
  return async (ctx: Context, scope: RequestScope) => {
    const view = await scope.provisioning.create(kind, ctx.state.body, scope.context);
    // For the audit trail: the store learns the app id only once the answer has gone out.
    if (view.appId !== undefined) ctx.state.createdAppId = view.appId;
    ctx.set('Location', location(scope.baseUrl, kind, view.id));
    sendView(
      ctx,
      kind,
      view,
      scope,
      201,
      projectionOf((name) => param(ctx, name)),
    );
    // Only an answer that went out makes a repeated POST a duplicate; a failed write leaves it retryable.
    // Either way the app id is stored now; a store failure here leaves a reservation that a retry or a read
    // completes by lookup.
    ctx.res.once('close', () => {
      scope.provisioning.confirmCreate(kind, view, ctx.res.writableFinished).catch(() => undefined);
    });
  };
}

function ifMatch(ctx: Context): { ifMatch?: string } {
  const header = ctx.get('if-match');
  return header ? { ifMatch: header } : {};
}

export function replace(kind: ResourceKind) {
  return async (ctx: Context, scope: RequestScope, id: string) => {
    const view = await scope.provisioning.replace(kind, id, ctx.state.body, scope.context, ifMatch(ctx));
    sendView(
      ctx,
      kind,
      view,
      scope,
      200,
      projectionOf((name) => param(ctx, name)),
    );
  };
}

export function patch(kind: ResourceKind) {
  return async (ctx: Context, scope: RequestScope, id: string) => {
    const view = await scope.provisioning.patch(kind, id, ctx.state.body, scope.context, ifMatch(ctx));
    const projection = projectionOf((name) => param(ctx, name));
    // RFC 7644 §3.5.2: 200 with the resource when attributes were asked for; otherwise 204, as Entra
    // prefers for groups and Microsoft's reference server answers for users.
    if (projection.attributes || projection.excludedAttributes) sendView(ctx, kind, view, scope, 200, projection);
    else {
      ctx.set('ETag', versionOf(view));
      sendScim(ctx, 204);
    }
  };
}

export function remove(kind: ResourceKind) {
  return async (ctx: Context, scope: RequestScope, id: string) => {
    await scope.provisioning.delete(kind, id, scope.context, ifMatch(ctx));
    sendScim(ctx, 204);
  };
}
