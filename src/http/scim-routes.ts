/**
 * The SCIM endpoints of every app, under /apps/{appId}/scim/v2: the app's lookup, authentication and
 * body, then discovery, the resource routes and the refusals (Bulk, root search).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { GatewayApp, GatewayDeps } from '../app.ts';
import type { ResourceKind } from '../core/id-map.ts';
import { HttpRequestError, NotFoundError, NotSupportedError, ScimRequestError } from '../errors.ts';
import { listResponse } from '../scim/messages/list-response.ts';
import { resourceTypes } from '../scim/schema/core-schemas.ts';
import { resourceTypeList, resourceTypeResource, schemaList, serviceProviderConfig } from './handlers/discovery.ts';
import * as resources from './handlers/resources.ts';
import type { RequestScope } from './handlers/resources.ts';
import { inboundAuth } from './middleware/inbound-auth.ts';
import { scimBody } from './middleware/scim-body.ts';
import { sendScim } from './scim-response.ts';

const PREFIX = '/apps/:appId/scim/v2';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

/**
 * The origin Location headers and meta.location name: publicUrl when set; otherwise the request's own
 * Host, but only a loopback name or one of allowedHosts. A Host copied unchecked would let anyone make
 * the gateway hand out links to their own server.
 */
function requestOrigin(publicUrl: string | undefined, allowedHosts: readonly string[]): (ctx: Context) => string {
  if (publicUrl) {
    const fixed = publicUrl.replace(/\/+$/, '');
    return () => fixed;
  }
  const allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  return (ctx) => {
    const host = ctx.host.toLowerCase();
    if (!LOOPBACK.test(host) && !allowed.has(host) && !allowed.has(host.replace(/:\d+$/, ''))) {
      throw new HttpRequestError(
        400,
        `This gateway does not answer for the host "${host.slice(0, 100)}": set server.publicUrl to the address Entra calls (or list the host in server.allowedHosts)`,
      );
    }
    return `${ctx.protocol}://${ctx.host}`;
  };
}

export function scimRoutes(deps: GatewayDeps): Router {
  const scim = new Router({ prefix: PREFIX, sensitive: false, strict: false });
  const originOf = requestOrigin(deps.publicUrl, deps.allowedHosts ?? []);
  const scopeOf = (ctx: Context): RequestScope => {
    const entry = ctx.state.app as GatewayApp;
    const origin = originOf(ctx);
    return {
      provisioning: entry.provisioning,
      resourceTypes: entry.resourceTypes,
      baseUrl: `${origin}/apps/${encodeURIComponent(entry.id)}/scim/v2`,
      context: {
        deadline: ctx.state.deadline as number,
        signal: ctx.state.signal as AbortSignal,
        requestId: String(ctx.state.requestId),
      },
    };
  };
  scim.use(async (ctx, next) => {
    const entry = deps.apps().get(ctx.params.appId ?? '');
    if (!entry) throw new NotFoundError(`No app "${ctx.params.appId}" is configured on this gateway`);
    ctx.state.app = entry;
    ctx.state.appId = entry.id;
    await next();
  });
  scim.use(inboundAuth((ctx) => ctx.state.app as GatewayApp));
  scim.use(scimBody(deps.maxBodyBytes !== undefined ? { maxBytes: deps.maxBodyBytes } : {}));

  scim.get('/ServiceProviderConfig', (ctx) => sendScim(ctx, 200, serviceProviderConfig(scopeOf(ctx).baseUrl)));
  scim.get('/ResourceTypes', (ctx) => {
    const list = resourceTypeList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  scim.get('/ResourceTypes/:name', (ctx) => {
    const kind = (['User', 'Group'] as const).find(
      (name) => name.toLowerCase() === String(ctx.params.name).toLowerCase(),
    );
    const entry = ctx.state.app as GatewayApp;
    if (!kind || !entry.attributes[kind]) throw new NotFoundError(`No resource type "${ctx.params.name}"`);
    sendScim(ctx, 200, resourceTypeResource(entry.resourceTypes[kind], scopeOf(ctx).baseUrl));
  });
  scim.get('/Schemas', (ctx) => {
    const list = schemaList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl);
    sendScim(ctx, 200, listResponse(list, list.length, 1));
  });
  scim.get('/Schemas/:id', (ctx) => {
    const schema = schemaList(ctx.state.app as GatewayApp, scopeOf(ctx).baseUrl).find(
      (candidate) => String(candidate.id).toLowerCase() === String(ctx.params.id).toLowerCase(),
    );
    if (!schema) throw new NotFoundError(`No schema "${ctx.params.id}"`);
    sendScim(ctx, 200, schema);
  });
  scim.post('/Bulk', () => {
    throw new NotSupportedError('Bulk operations are not supported; send one request per operation');
  });
  scim.post('/.search', () => {
    throw new ScimRequestError(
      'invalidSyntax',
      'Search one resource type at a time: POST /Users/.search or /Groups/.search',
    );
  });

  for (const kind of ['User', 'Group'] as const satisfies ResourceKind[]) {
    const path = resourceTypes[kind].endpoint;
    scim.get(path, (ctx) => resources.list(kind)(ctx, scopeOf(ctx)));
    scim.post(path, (ctx) => resources.create(kind)(ctx, scopeOf(ctx)));
    scim.post(`${path}/.search`, (ctx) => resources.search(kind)(ctx, scopeOf(ctx)));
    scim.get(`${path}/:id`, (ctx) => resources.get(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.put(`${path}/:id`, (ctx) => resources.replace(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.patch(`${path}/:id`, (ctx) => resources.patch(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
    scim.delete(`${path}/:id`, (ctx) => resources.remove(kind)(ctx, scopeOf(ctx), String(ctx.params.id)));
  }
  return scim;
}
