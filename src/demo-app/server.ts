/**
 * The demo app: a small, deliberately non-SCIM SaaS-style REST API that the gateway's connectors
 * translate to. Run alone via main.ts, or in-process from tests and the gateway's `npm start`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createApiHandler, type Counters, type LogEntry } from './api.ts';
import { ApiError } from './errors.ts';
import { FaultInjector, validateFaultOptions, type FaultOptions } from './faults.ts';
import { parseBody, readBody, requireObject, sendError, sendJson } from './http-util.ts';
import { validateOptions, type DemoAppOptions } from './options.ts';
import { SlidingWindowLimiter } from './rate-limit.ts';
import { loadSnapshot, SnapshotWriter } from './snapshot.ts';
import { demoOpenApi } from './openapi.ts';
import { DemoStore } from './store.ts';

export type { DemoAppOptions } from './options.ts';
export type { FaultKind, FaultOptions } from './faults.ts';
export type { LogEntry } from './api.ts';
export type { Membership, Office, Team, User } from './model.ts';
export { DemoStore } from './store.ts';

export interface DemoStats {
  requests: number;
  rate_limited: number;
  faults: number;
  users: number;
  teams: number;
}

export interface DemoApp {
  /** Defaults: port 0 (any free port), host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops listening (idle keep-alive connections included) and flushes the snapshot. */
  close(): Promise<void>;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  stats(): DemoStats;
  /** Last 1000 /api requests that passed auth, oldest first, for tests that check what reached the app. */
  log: LogEntry[];
  store: DemoStore;
  reset(): void;
  setFaults(faults: FaultOptions | undefined): void;
}

/** Splits the request target without `new URL`, which would read `//host/path` as an authority. */
function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  let path = q === -1 ? target : target.slice(0, q);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return { path, query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
}

/** Loads the store from its snapshot file and saves it there after every change. */
function persisted(store: DemoStore, file: string): SnapshotWriter {
  const saved = loadSnapshot(file);
  if (saved) store.load(saved);
  const writer = new SnapshotWriter(file, () => store.toSnapshot());
  store.onChange = () => writer.schedule();
  return writer;
}

export function createDemoApp(options: DemoAppOptions): DemoApp {
  const opts = validateOptions(options);
  const store = new DemoStore();
  const writer = opts.snapshotFile === undefined ? undefined : persisted(store, opts.snapshotFile);
  const limiter = opts.rate > 0 ? new SlidingWindowLimiter(opts.rate) : undefined;
  const faults = new FaultInjector(opts.faults);
  const counters: Counters = { requests: 0, rate_limited: 0, faults: 0 };
  const log: LogEntry[] = [];
  const handleApi = createApiHandler({ apiKey: opts.apiKey, store, limiter, faults, counters, log });

  const stats = (): DemoStats => ({ ...counters, users: store.userCount, teams: store.teamCount });

  function reset(): void {
    store.clear();
    counters.requests = 0;
    counters.rate_limited = 0;
    counters.faults = 0;
    log.length = 0;
    limiter?.clear();
    faults.reseed();
  }

  /** Test-support endpoints: outside /api, so no key, no rate limit, no faults, not counted. */
  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const allowed = path === '/_stats' ? 'GET' : 'POST';
    if (req.method !== allowed) {
      res.setHeader('Allow', allowed);
      throw new ApiError(405, 'method_not_allowed', `${req.method ?? ''} is not allowed on ${path}`);
    }
    if (path === '/_stats') return sendJson(res, 200, stats());
    if (path === '/_reset') {
      reset();
      return sendJson(res, 204);
    }
    const body = requireObject(parseBody(await readBody(req)));
    try {
      const next = validateFaultOptions(body);
      faults.set(next.rate === 0 ? undefined : next);
    } catch (error) {
      throw new ApiError(422, 'invalid', (error as Error).message, 'faults');
    }
    sendJson(res, 200, { faults: faults.options ?? null });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path, query } = splitTarget(req.url ?? '/');
    if (path === '/api' || path.startsWith('/api/')) return handleApi(req, res, path, query);
    if (path === '/_stats' || path === '/_reset' || path === '/_faults') return handleControl(req, res, path);
    // The API's own description: public, like most vendors' (no key, not counted, not rate limited).
    if (path === '/openapi.json' && req.method === 'GET') return sendJson(res, 200, demoOpenApi());
    throw new ApiError(404, 'not_found', `No route for ${req.method ?? ''} ${path}`);
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof ApiError) return sendError(res, error);
      console.error('demo app: unexpected error', error);
      sendError(res, new ApiError(500, 'internal', 'Internal server error'));
    });
  };

  let server: Server | undefined;
  let closing: Promise<void> | undefined;

  return {
    handler,
    log,
    store,
    stats,
    reset,
    setFaults: (next) => faults.set(next),

    listen(port = 0, host = '127.0.0.1') {
      if (server) return Promise.reject(new Error('Demo app is already listening'));
      const srv = createServer(handler);
      server = srv;
      return new Promise((resolve, reject) => {
        srv.once('error', (error) => {
          server = undefined;
          reject(error);
        });
        srv.listen(port, host, () => {
          srv.removeAllListeners('error');
          const address = srv.address();
          const actual = typeof address === 'object' && address ? address.port : port;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          resolve({ port: actual, url: `http://${shownHost}:${actual}` });
        });
      });
    },

    close() {
      closing ??= (async () => {
        const srv = server;
        if (srv?.listening) {
          const stopped = new Promise<void>((resolve) => srv.close(() => resolve()));
          srv.closeIdleConnections();
          await stopped;
        }
        await writer?.flush();
      })();
      return closing;
    },
  };
}
