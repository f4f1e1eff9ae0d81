/**
 * scimgw_inbound_requests_total and _duration_seconds per app, resource type and operation. Labels come
 * from the route shape only, never from the URL's ids or query, so a client cannot grow the series;
 * a request for an app that is not configured is counted under app="unknown".
 */
import type { Middleware } from 'koa';
import { labelledChildren } from '../../observability/metric-children.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { decodeSegment } from '../path-segment.ts';

export type ScimOperation = 'list' | 'get' | 'create' | 'replace' | 'patch' | 'delete' | 'discovery' | 'other';

export interface ScimRequestShape {
  resource: 'User' | 'Group' | 'none';
  operation: ScimOperation;
  /** The SCIM id in the path (get, replace, patch, delete). */
  id?: string;
}

const SCIM_PATH = /^\/apps\/[^/]+\/scim\/v2(\/.*)?$/i;
const RESOURCE_PATH = /^\/(users|groups)(?:\/([^/]+))?\/?$/i;
const DISCOVERY = /^\/(serviceproviderconfig|resourcetypes|schemas)(\/|$)/i;

/** What a request to a SCIM endpoint does, or undefined for /livez, /metrics and the like. */
export function classify(method: string, path: string): ScimRequestShape | undefined {
  const scim = SCIM_PATH.exec(path);
  if (!scim) return undefined;
  const rest = scim[1] ?? '/';
  const resource = RESOURCE_PATH.exec(rest);
  if (!resource) return { resource: 'none', operation: DISCOVERY.test(rest) ? 'discovery' : 'other' };
  const kind = resource[1]!.toLowerCase() === 'users' ? 'User' : 'Group';
  const id = resource[2];
  if (id === undefined)
    return { resource: kind, operation: method === 'GET' ? 'list' : method === 'POST' ? 'create' : 'other' };
  if (id.toLowerCase() === '.search') return { resource: kind, operation: method === 'POST' ? 'list' : 'other' };
  const operation =
    ({ GET: 'get', PUT: 'replace', PATCH: 'patch', DELETE: 'delete' } as const)[method as 'GET'] ?? 'other';
  return { resource: kind, operation, id: decodeSegment(id) };
}

const SHAPE = Symbol('scim request shape');

/**
 * classify() of a request, worked out once for the metrics and the audit trail, which both ask. Kept on
 * the request's ctx itself: a WeakMap entry per request cost more than the classification.
 */
export function shapeOf(ctx: { method: string; path: string }): ScimRequestShape | undefined {
  const holder = ctx as { [SHAPE]?: ScimRequestShape | null };
  let shape = holder[SHAPE];
  if (shape === undefined) {
    shape = classify(ctx.method, ctx.path) ?? null;
    holder[SHAPE] = shape;
  }
  return shape ?? undefined;
}

export function inboundMetrics(metrics: Pick<Metrics, 'inboundRequests' | 'inboundDuration'>): Middleware {
  const requests = labelledChildren(metrics.inboundRequests);
  const durations = labelledChildren(metrics.inboundDuration);
  return async (ctx, next) => {
    const shape = shapeOf(ctx);
    if (!shape) {
      await next();
      return;
    }
    const started = performance.now();
    try {
      await next();
    } finally {
      const labels = {
        app: typeof ctx.state.appId === 'string' ? ctx.state.appId : 'unknown',
        resource: shape.resource,
        operation: shape.operation,
      };
      requests({ ...labels, status: String(ctx.status) }).inc();
      durations(labels).observe((performance.now() - started) / 1000);
    }
  };
}
