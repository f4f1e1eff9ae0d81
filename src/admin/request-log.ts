/**
 * What the status page shows of recent traffic, per app and in memory only: request and error counts
 * over the last five minutes in one-second buckets (a fixed ring, so memory stays bounded however busy
 * the app is), and the last 20 errors. An error keeps its request id, time, status and code, never a
 * path, query or body: those can carry personal data (userName filters, PATCH values).
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
  lastErrors: RecentError[];
}

interface Bucket {
  second: number;
  requests: number;
  errors: number;
  serverErrors: number;
}

class AppTraffic {
  readonly #ring: Bucket[] = Array.from({ length: WINDOW_SECONDS }, () => ({ second: -1, requests: 0, errors: 0, serverErrors: 0 }));
  readonly #errors: RecentError[] = [];

  record(nowMs: number, status: number, error: Omit<RecentError, 'time' | 'status'>): void {
    const second = Math.floor(nowMs / 1000);
    const bucket = this.#ring[second % WINDOW_SECONDS]!;
    if (bucket.second !== second) Object.assign(bucket, { second, requests: 0, errors: 0, serverErrors: 0 });
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
    for (const bucket of this.#ring) {
      if (bucket.second < oldest) continue;
      requests += bucket.requests;
      errors += bucket.errors;
      serverErrors += bucket.serverErrors;
    }
    return { windowSeconds: WINDOW_SECONDS, requests, errors, serverErrors, lastErrors: [...this.#errors].reverse() };
  }
}

export class RequestLog {
  readonly #apps = new Map<string, AppTraffic>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  record(app: string, status: number, error: Omit<RecentError, 'time' | 'status'>): void {
    let traffic = this.#apps.get(app);
    if (!traffic) this.#apps.set(app, (traffic = new AppTraffic()));
    traffic.record(this.#now(), status, error);
  }

  summary(app: string): TrafficSummary {
    return this.#apps.get(app)?.summary(this.#now()) ?? { windowSeconds: WINDOW_SECONDS, requests: 0, errors: 0, serverErrors: 0, lastErrors: [] };
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
        const app = ctx.state.appId;
        if (typeof app === 'string') {
          this.record(app, ctx.status, { requestId: String(ctx.state.requestId ?? ''), method: ctx.method, code: String(ctx.state.errorCode ?? '') });
        }
      }
    };
  }
}
