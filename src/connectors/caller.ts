/**
 * Makes one call of a connector operation: renders the request (encoding every value inserted into a
 * URL path), adds credentials, waits for the app's budget, sends, classifies the answer, and retries
 * within the SCIM request's deadline when that is safe. Everything app-specific comes from the compiled
 * connector; everything about the network from the Transport.
 */
import { NotFoundError, UnavailableError } from '../errors.ts';
import type { AuthInjector } from '../outbound/auth.ts';
import type { BucketUse, Pacer } from '../outbound/pacer.ts';
import type { CircuitBreaker } from '../outbound/circuit-breaker.ts';
import type { Metrics } from '../observability/metrics.ts';
import { decideRetry, type RetryReason } from '../outbound/retry-policy.ts';
import { waitFromHeaders } from '../outbound/retry-after.ts';
import { NetworkError, type OutboundRequest, type Transport } from '../outbound/transport.ts';
import type { CallContext } from '../core/app-connector.ts';
import type { CompiledConnector, CompiledOutcome, CompiledRequest } from './compiled.ts';
import type { Bindings } from './expression.ts';
import { classify, outcomeError, type AppResponse, type Classified } from './outcomes.ts';

export type { CallContext } from '../core/app-connector.ts';

/** A rendered request and the per-key buckets it counts against. */
export interface PreparedRequest extends OutboundRequest {
  buckets?: BucketUse[];
}

export interface CallResult extends AppResponse {
  outcome: Classified;
}

export interface CallObserver {
  onCall?(event: { connector: string; operation: string; method: string; status: number | 'network'; durationMs: number; attempt: number }): void;
}

const DEFAULT_RATE_LIMIT_WAIT_MS = 2000;

/**
 * Encodes a value inserted into a URL path. encodeURIComponent leaves "." alone, so an id of "." or ".."
 * would become a dot segment that URL parsing folds away (/users/.. is /), sending the call to another
 * resource. Percent-encoding cannot help (WHATWG URLs read %2E as a dot too), and no object can be
 * addressed by such an id, so it is refused as not found.
 */
export function encodePathValue(value: string): string {
  if (value === '.' || value === '..') throw new NotFoundError(`The app has no object "${value}": such a value cannot be put in a URL path`);
  return encodeURIComponent(value);
}

export class Caller {
  readonly #connector: CompiledConnector;
  readonly #transport: Transport;
  readonly #auth: AuthInjector;
  readonly #pacer: Pacer;
  readonly #baseUrl: string;
  readonly #headers: [string, string][];
  readonly #observer: CallObserver;
  readonly #breaker: CircuitBreaker | undefined;
  readonly #metrics: Metrics | undefined;
  /** The gateway app this caller serves: the label of its metrics. */
  readonly #app: string;

  constructor(options: {
    connector: CompiledConnector;
    transport: Transport;
    auth: AuthInjector;
    pacer: Pacer;
    baseUrl: string;
    headers: [string, string][];
    observer?: CallObserver;
    breaker?: CircuitBreaker;
    metrics?: Metrics;
    app?: string;
  }) {
    this.#connector = options.connector;
    this.#transport = options.transport;
    this.#auth = options.auth;
    this.#pacer = options.pacer;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#headers = options.headers;
    this.#observer = options.observer ?? {};
    this.#breaker = options.breaker;
    this.#metrics = options.metrics;
    this.#app = options.app ?? options.connector.id;
  }

  get connectorId(): string {
    return this.#connector.id;
  }

  /**
   * Renders a request. `url` replaces it with a next-page URL from the app, used as is (its query too);
   * `path` replaces only the url template (a pushed-down filter's url, already rendered), so it is read
   * relative to baseUrl and still gets the query; `extraQuery` adds paging/filter parameters.
   */
  async render(spec: CompiledRequest, bindings: Bindings, secretBindings: Bindings, options: { url?: string; path?: string; extraQuery?: [string, string][]; queryOverride?: [string, string][] } = {}): Promise<PreparedRequest> {
    let url: URL;
    if (options.url) {
      url = new URL(options.url, `${this.#baseUrl}/`);
    } else {
      const path = options.path ?? (await spec.url.render(secretBindings, encodePathValue));
      url = new URL(/^https?:\/\//i.test(path) ? path : `${this.#baseUrl}/${path.replace(/^\/+/, '')}`);
      for (const [name, template] of options.queryOverride ? [] : spec.query) {
        const value = await template.render(secretBindings);
        if (value !== '') url.searchParams.set(name, value);
      }
      for (const [name, value] of options.queryOverride ?? []) if (value !== '') url.searchParams.set(name, value);
    }
    for (const [name, value] of options.extraQuery ?? []) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of this.#headers) headers[name.toLowerCase()] = value;
    for (const [name, template] of spec.headers) headers[name.toLowerCase()] = await template.render(secretBindings);
    const request: PreparedRequest = { method: spec.method, url: url.toString(), headers };
    const buckets = await this.#bucketsFor(spec.method, url, secretBindings);
    if (buckets.length) request.buckets = buckets;
    if (spec.body) {
      const body = await spec.body.evaluate(bindings.scim ?? {}, bindings);
      if (body !== undefined) {
        request.body = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
    }
    return request;
  }

  /**
   * The connector's per-key buckets this call counts against (matched on method and path below baseUrl).
   * A bucket is a count per window ("5 updates a minute per user"), not a rate to spread: not smoothed.
   */
  async #bucketsFor(method: string, url: URL, bindings: Bindings): Promise<BucketUse[]> {
    const buckets = this.#connector.rateLimit?.buckets ?? [];
    if (!buckets.length) return [];
    const basePath = new URL(`${this.#baseUrl}/`).pathname.replace(/\/$/, '');
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || '/' : url.pathname;
    const out: BucketUse[] = [];
    for (const bucket of buckets) {
      if (bucket.methods && !bucket.methods.has(method)) continue;
      if (!bucket.path.test(path)) continue;
      out.push({ name: bucket.name, key: bucket.key ? await bucket.key.render(bindings) : '*', limit: { requests: bucket.requests, perMs: bucket.perMs, smooth: false } });
    }
    return out;
  }

  /** Sends with pacing and retries; returns the classified final answer. Ends the SCIM request with 503 when time runs out. */
  async send(request: PreparedRequest, rules: readonly CompiledOutcome[], context: CallContext, meta: { operation: string; conflictDetectable: boolean }): Promise<CallResult> {
    const retry = this.#connector.retry;
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const { buckets, ...outbound } = request;
      const attemptRequest: OutboundRequest = { ...outbound, headers: { ...request.headers } };
      if (context.requestId) attemptRequest.headers['x-request-id'] = context.requestId;
      const remaining = context.deadline - Date.now();
      if (remaining <= 0) throw this.#deadlineError(meta.operation);
      let reason: RetryReason;
      let requestedWaitMs: number | undefined;
      let result: CallResult | undefined;
      const started = Date.now();
      let probe = false;
      try {
        // Fails fast while the circuit is open, before queueing for the budget; the call is admitted (and
        // may become the probe) only when it is about to be sent: calls that queued before the circuit
        // opened must not reach the failing app.
        this.#breaker?.check(this.#app);
        const admit = () => {
          probe = this.#breaker?.admit(this.#app) ?? false;
        };
        result = await this.#attempt(attemptRequest, rules, remaining, context, buckets, admit);
        this.#record(meta.operation, request.method, result.status, started, attempt);
        const outcome = result.outcome.result;
        if (outcome === 'authFailed' && this.#auth.refreshable && !refreshed) {
          refreshed = true;
          this.#auth.invalidate();
          attempt--;
          continue;
        }
        if (outcome !== 'rateLimited' && outcome !== 'retry') return result;
        reason = outcome === 'rateLimited' ? 'rateLimited' : 'transient';
        requestedWaitMs = waitFromHeaders(result.headers) ?? (outcome === 'rateLimited' ? DEFAULT_RATE_LIMIT_WAIT_MS : undefined);
        if (outcome === 'rateLimited') this.#metrics?.rateLimited.inc({ app: this.#app });
      } catch (error) {
        if (!(error instanceof NetworkError)) {
          if (probe) this.#breaker?.abandon();
          if (context.signal?.aborted || (error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError') throw this.#deadlineError(meta.operation);
          throw error;
        }
        this.#record(meta.operation, request.method, 'network', started, attempt);
        reason = error.sent ? 'transient' : 'notSent';
      }
      const decision = decideRetry({
        attempt,
        maxAttempts: retry.maxAttempts,
        reason,
        method: request.method,
        conflictDetectable: meta.conflictDetectable,
        initialDelayMs: retry.initialDelayMs,
        maxDelayMs: retry.maxDelayMs,
        remainingMs: context.deadline - Date.now(),
        ...(requestedWaitMs !== undefined ? { requestedWaitMs } : {}),
      });
      if (!decision.retry) {
        if (result) throw outcomeError(result.outcome.result, { connector: this.#connector.id, operation: meta.operation, status: result.status, retryAfterMs: decision.retryAfterMs });
        throw new UnavailableError(`The app could not be reached (${this.#connector.id} ${meta.operation}); retry later`, decision.retryAfterMs / 1000);
      }
      this.#metrics?.outboundRetries.inc({ app: this.#app });
      await sleep(decision.delayMs, context.signal);
    }
  }

  #record(operation: string, method: string, status: number | 'network', started: number, attempt: number): void {
    const durationMs = Date.now() - started;
    this.#observer.onCall?.({ connector: this.#connector.id, operation, method, status, durationMs, attempt });
    const statusClass = status === 'network' ? 'network' : `${Math.floor(status / 100)}xx`;
    this.#metrics?.outboundCalls.inc({ app: this.#app, operation, status_class: statusClass });
    this.#metrics?.outboundDuration.observe({ app: this.#app, operation }, durationMs / 1000);
  }

  /**
   * One paced attempt. The breaker hears how it went before the pacer's slot passes to the next queued
   * call, so that call is already refused when this one opened the circuit.
   */
  async #attempt(request: OutboundRequest, rules: readonly CompiledOutcome[], remaining: number, context: CallContext, buckets: BucketUse[] | undefined, admit: () => void): Promise<CallResult> {
    const signal = context.signal ? AbortSignal.any([context.signal, AbortSignal.timeout(remaining)]) : AbortSignal.timeout(remaining);
    return this.#pacer.run(async () => {
      admit();
      let response: AppResponse;
      try {
        await this.#auth.apply(request);
        const timeoutMs = Math.min(this.#connector.http.timeoutMs, Math.max(1, context.deadline - Date.now()));
        const sent = await this.#transport.send(request, { timeoutMs, signal });
        response = { status: sent.status, headers: sent.headers, body: parseBody(sent.body) };
      } catch (error) {
        if (error instanceof NetworkError) this.#breaker?.failure();
        throw error;
      }
      const outcome = await classify(response, rules);
      if (outcome.result === 'retry') this.#breaker?.failure();
      else this.#breaker?.success();
      this.#pauseFor(response.headers, outcome.result);
      return { ...response, outcome };
    }, { signal, deadline: context.deadline, ...(buckets ? { buckets } : {}) });
  }

  /**
   * A 429 pauses every replica for its Retry-After; so does an exhausted budget announced on another answer,
   * until the app's reset. Set before the pacer's slot passes on, so the next queued call already waits.
   */
  #pauseFor(headers: Record<string, string>, outcome: Classified['result']): void {
    if (outcome === 'rateLimited') {
      this.#pacer.pause(waitFromHeaders(headers) ?? DEFAULT_RATE_LIMIT_WAIT_MS);
    } else if (rateLimitExhausted(headers)) {
      const reset = waitFromHeaders(headers);
      if (reset !== undefined && reset > 0) this.#pacer.pause(Math.min(reset, 120_000));
    }
  }

  #deadlineError(operation: string): UnavailableError {
    const wait = Math.max(5, Math.ceil(this.#pacer.drainEstimateMs / 1000));
    return new UnavailableError(`The app did not answer in time (${this.#connector.id} ${operation}); retry later`, wait);
  }
}

/** True when the app says its budget is used up ("remaining: 0" in the usual rate-limit headers). */
function rateLimitExhausted(headers: Record<string, string>): boolean {
  const remaining = headers['x-ratelimit-remaining'] ?? headers['ratelimit-remaining'] ?? headers['x-rate-limit-remaining'];
  return remaining !== undefined && Number(remaining) <= 0;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
