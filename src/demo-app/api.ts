/**
 * The /api request pipeline, in the order a real SaaS edge applies it:
 * rate limit -> (injected fault) -> API key -> body -> route.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from './errors.ts';
import type { FaultInjector } from './faults.ts';
import { parseBody, readBody, sendError, sendJson, type ParsedBody } from './http-util.ts';
import type { SlidingWindowLimiter } from './rate-limit.ts';
import { createRouter, type Route } from './router.ts';
import { userRoutes } from './routes-users.ts';
import { teamRoutes } from './routes-teams.ts';
import type { DemoStore } from './store.ts';

export interface LogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface Counters {
  requests: number;
  rate_limited: number;
  faults: number;
}

export interface ApiDeps {
  apiKey: string;
  store: DemoStore;
  limiter: SlidingWindowLimiter | undefined;
  faults: FaultInjector;
  counters: Counters;
  log: LogEntry[];
}

const LOG_LIMIT = 1000;
const routes: Route[] = [...userRoutes, ...teamRoutes];

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

function bodyForLog(body: ParsedBody): unknown {
  if (body.kind === 'json') return body.value;
  return body.kind === 'bad' ? body.text : undefined;
}

export function createApiHandler(deps: ApiDeps) {
  const route = createRouter(routes);
  // Comparing fixed-length digests keeps the check constant-time whatever the key lengths.
  const expectedKey = digest(deps.apiKey);
  const authorized = (header: string | string[] | undefined): boolean =>
    typeof header === 'string' && timingSafeEqual(digest(header), expectedKey);

  /** Returns false when the limiter already answered. */
  function admit(res: ServerResponse): boolean {
    if (!deps.limiter) return true;
    const decision = deps.limiter.take();
    res.setHeader('X-RateLimit-Limit', decision.limit);
    res.setHeader('X-RateLimit-Remaining', decision.remaining);
    res.setHeader('X-RateLimit-Reset', decision.resetEpochSeconds);
    if (decision.allowed) return true;
    deps.counters.rate_limited++;
    res.setHeader('Retry-After', decision.retryAfterSeconds);
    sendError(res, new ApiError(429, 'rate_limited', 'Too many requests, slow down'));
    return false;
  }

  /** Returns false when the fault replaced the request (which then never reaches the app). */
  async function survive(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const fault = deps.faults.pick();
    if (!fault) return true;
    deps.counters.faults++;
    if (fault === 'reset') {
      req.socket.destroy();
      return false;
    }
    if (fault === '5xx') {
      sendJson(res, 503, { error: { code: 'unavailable', message: 'Service temporarily unavailable' } });
      return false;
    }
    await sleep(deps.faults.slowMs);
    return true;
  }

  return async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    deps.counters.requests++;
    if (!admit(res)) return;
    // A real server has the whole request before it works on it; a client that gives up during a slow
    // answer does not undo the work.
    const rawBody = readBody(req);
    rawBody.catch(() => undefined);
    if (!(await survive(req, res))) return;
    if (!authorized(req.headers['x-api-key'])) {
      sendError(res, new ApiError(401, 'unauthorized', 'Missing or invalid X-Api-Key header'));
      return;
    }

    const method = req.method ?? 'GET';
    const entry: LogEntry = { method, path, query: Object.fromEntries(query), body: undefined, status: 0 };
    deps.log.push(entry);
    if (deps.log.length > LOG_LIMIT) deps.log.shift();
    try {
      const body = parseBody(await rawBody);
      entry.body = bodyForLog(body);
      const segments = path.split('/').filter(Boolean).slice(1);
      const match = route(method, segments);
      if (match.kind === 'none') throw new ApiError(404, 'not_found', `No route for ${method} ${path}`);
      if (match.kind === 'method_not_allowed') {
        res.setHeader('Allow', match.allow.join(', '));
        throw new ApiError(405, 'method_not_allowed', `${method} is not allowed on ${path}`);
      }
      const reply = match.handler({ store: deps.store, query, body }, match.params);
      sendJson(res, reply.status, reply.body);
    } catch (error) {
      if (error instanceof ApiError) {
        sendError(res, error);
      } else {
        console.error('demo app: unexpected error', error);
        sendError(res, new ApiError(500, 'internal', 'Internal server error'));
      }
    }
    entry.status = res.statusCode;
  };
}
