/** A deliberately tiny path router: literal segments and `:name` placeholders, nothing else. */
import type { ParsedBody } from './http-util.ts';
import type { DemoStore } from './store.ts';

export interface RouteContext {
  store: DemoStore;
  query: URLSearchParams;
  body: ParsedBody;
}

export interface Reply {
  status: number;
  body?: unknown;
}

/** `params` holds the placeholder segments in path order. */
export type Handler = (ctx: RouteContext, params: string[]) => Reply;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  /** Relative to /api, e.g. "/users/:id/deactivate". */
  path: string;
  methods: Partial<Record<Method, Handler>>;
}

export type Match =
  | { kind: 'handler'; handler: Handler; params: string[] }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'none' };

function matchPath(pattern: string[], segments: string[]): string[] | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: string[] = [];
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith(':')) params.push(segment);
    else if (part !== segment) return undefined;
  }
  return params;
}

export function createRouter(routes: Route[]): (method: string, segments: string[]) => Match {
  const compiled = routes.map((route) => ({ ...route, pattern: route.path.split('/').filter(Boolean) }));
  return (method, segments) => {
    for (const route of compiled) {
      const params = matchPath(route.pattern, segments);
      if (!params) continue;
      const handler = route.methods[method as Method];
      if (handler) return { kind: 'handler', handler, params };
      return { kind: 'method_not_allowed', allow: Object.keys(route.methods) };
    }
    return { kind: 'none' };
  };
}
