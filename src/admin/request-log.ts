/**
 * What the status page shows of recent traffic, per app and in memory only: request and error counts
 * over the last five minutes in one-second buckets (a fixed ring, so memory stays bounded however busy
 * the app is), and the last 20 errors. An error keeps its request id, time, status and code, never a
 * path, query or body: those can carry personal data (userName filters, PATCH values). Requests refused
 * for a missing or wrong token are only counted: anyone can send them, and listing them would push the
 * app's real errors off the page.
 */
import type { Middleware } from 'koa';

export const WINDOW_SECONDS = 300;
export const KEPT_ERRORS = 20;

export interface RecentError {
  requestId: string;
  time: string;
  method: string;
  status: number;
  code: string;
}

export interface TrafficSummary {
  windowSeconds: number;
  requests: number;
  errors: number;
  serverErrors: number;
  /** Requests refused before authentication succeeded (not in requests or errors). */
  refused: number;
  lastErrors: RecentError[];
}

interface Bucket {
  second: number;
  requests: number;
  errors: number;
  serverErrors: number;
  refused: number;
}

class AppTraffic {
  readonly #ring: Bucket[] = Array.from({ length: WINDOW_SECONDS }, () => ({
    second: -1,
    requests: 0,
    errors: 0,
    serverErrors: 0,
    refused: 0,
  }));
  readonly #errors: RecentError[] = [];

  #bucket(nowMs: number): Bucket {
    const second = Math.floor(nowMs / 1000);
    const bucket = this.#ring[second % WINDOW_SECONDS]!;
    if (bucket.second !== second)
      Object.assign(bucket, { second, requests: 0, errors: 0, serverErrors: 0, refused: 0 });
    return bucket;
  }

  refuse(nowMs: number): void {
    this.#bucket(nowMs).refused += 1;
  }

  record(nowMs: number, status: number, error: Omit<RecentError, 'time' | 'status'>): void {
    const bucket = this.#bucket(nowMs);
    bucket.requests += 1;
    if (status < 400) return;
    bucket.errors += 1;
    if (status >= 500) bucket.serverErrors += 1;
    this.#errors.push({ ...error, time: new Date(nowMs).toISOString(), status });
    if (this.#errors.length > KEPT_ERRORS) this.#errors.shift();
  }

  summary(nowMs: number): TrafficSummary {
    const oldest = Math.floor(nowMs / 1000) - WINDOW_SECONDS + 1;
    let requests = 0;
    let errors = 0;
    let serverErrors = 0;
    let refused = 0;
    for (const bucket of this.#ring) {
      if (bucket.second < oldest) continue;
      requests += bucket.requests;
      errors += bucket.errors;
      serverErrors += bucket.serverErrors;
      refused += bucket.refused;
    }
    return {
      windowSeconds: WINDOW_SECONDS,
      requests,
      errors,
      serverErrors,
      refused,
      lastErrors: [...this.#errors].reverse(),
    };
  }
}

export class RequestLog {
  readonly #apps = new Map<string, AppTraffic>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  #traffic(app: string): AppTraffic {
    let traffic = this.#apps.get(app);
    if (!traffic) this.#apps.set(app, (traffic = new AppTraffic()));
    return traffic;
  }

  record(app: string, status: number, error: Omit<RecentError, 'time' | 'status'>): void {
    this.#traffic(app).record(this.#now(), status, error);
  }

  /** A request refused for its credentials: counted, not listed. */
  refuse(app: string): void {
    this.#traffic(app).refuse(this.#now());
  }

  summary(app: string): TrafficSummary {
    return (
      this.#apps.get(app)?.summary(this.#now()) ?? {
        windowSeconds: WINDOW_SECONDS,
        requests: 0,
        errors: 0,
        serverErrors: 0,
        refused: 0,
        lastErrors: [],
      }
    );
  }

  /**
   * Counts every request that reached an app's routes. Mounted outside the SCIM error middleware, so it
   * sees the final status and the error code that middleware set. Requests for unknown apps are not
   * counted: their ids come from the caller, and keeping them would let anyone grow this map.
   */
  middleware(): Middleware {
    return async (ctx, next) => {
      try {
        await next();
      } finally {
        const app: unknown = ctx.state.appId;
        if (typeof app === 'string' && ctx.state.principal === undefined) this.refuse(app);
        else if (typeof app === 'string') {
          this.record(app, ctx.status, {
            requestId: String(ctx.state.requestId ?? ''),
            method: ctx.method,
            code: String(ctx.state.errorCode ?? ''),
          });
        }
      }
    };
  }
}
