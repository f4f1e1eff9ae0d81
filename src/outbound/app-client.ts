/**
 * One app's outbound client, built from its OutboundPolicy: every call of the app goes through `send`,
 * a short pipeline —
 *
 *   admit      the SCIM request still has time, and the app's circuit is not open;
 *   pace       wait for a concurrency slot and the app's budget (shared by every replica);
 *   authorize  put the app's credentials on the call;
 *   attempt    send it, bounded by the deadline, the call timeout and the answer size limit;
 *   classify   the connector's rules say what the answer means;
 *   decide     return it, or retry (after a 429, a 5xx, a network failure, or once after refused
 *              credentials that can be renewed), or give up with a 503 whose Retry-After Entra honours.
 *
 * Every wait takes the SCIM request's signal: when Entra hangs up or the deadline passes, calls still
 * queued or backing off never reach the app. A read in flight is aborted too; a write already sent runs
 * to its answer (or the deadline), so what it did is known when Entra hangs up.
 */
import { RequestAbandonedError, UnavailableError, UpstreamError } from '../errors.ts';
import { labelledChildren } from '../observability/metric-children.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AuthInjector } from './auth.ts';
import { LocalBudget, type RateBudget } from './budget.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { systemClock, type Clock } from './clock.ts';
import { linkedSignal } from './linked-signal.ts';
import type { Verdict } from './outcome.ts';
import { Pacer, type BucketUse } from './pacer.ts';
import { DEFAULT_RATE_LIMIT_WAIT_MS, type OutboundPolicy } from './policy.ts';
import { waitFromHeaders } from './retry-after.ts';
import { decideRetry, type RetryReason } from './retry-policy.ts';
import { NetworkError, ResponseTooLargeError, type OutboundRequest, type Transport } from './transport.ts';

export interface AppResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

export interface AppAnswer extends AppResponse {
  outcome: Verdict;
}

/** A rendered call and the per-key buckets it counts against. */
export interface ClientRequest extends OutboundRequest {
  buckets?: BucketUse[];
}

export type Classifier = (response: AppResponse) => Promise<Verdict>;

export interface CallScope {
  /** Epoch ms: the SCIM request's deadline. */
  deadline: number;
  /** Fires when Entra hangs up or the deadline passes. */
  signal?: AbortSignal;
  requestId?: string;
}

export interface CallMeta {
  /** "User.get": for metrics and messages. */
  operation: string;
  /** The operation finds a duplicate by lookup (create with adopt), so a repeated POST is harmless. */
  conflictDetectable: boolean;
}

export interface CallObserver {
  onCall?(event: {
    connector: string;
    operation: string;
    method: string;
    status: number | 'network';
    durationMs: number;
    attempt: number;
  }): void;
}

export interface AppClientDeps {
  transport: Transport;
  credentials: AuthInjector;
  /** Shared by replicas (Redis) or this process's; it outlives reloads. */
  budget?: RateBudget;
  clock?: Clock;
  metrics?: Metrics;
  observer?: CallObserver;
}

/** What one pass through admit → classify produced. */
type Tried = { answer: AppAnswer; failure?: undefined } | { answer?: undefined; failure: NetworkError };

type Decision = { final: AppAnswer } | { error: Error } | { again: RetryReason; delayMs: number };

/** The 503 for an answer that still says "later" when retries are used up. */
export function laterError(
  result: 'rateLimited' | 'retry',
  what: string,
  status: number,
  retryAfterMs: number,
): UnavailableError {
  return new UnavailableError(
    `The app is ${result === 'rateLimited' ? 'rate limiting the gateway' : 'not answering successfully'} (${what} answered HTTP ${status}); retry later`,
    retryAfterMs / 1000,
  );
}

export class AppClient {
  readonly policy: OutboundPolicy;
  readonly pacer: Pacer;
  readonly breaker: CircuitBreaker;
  readonly #transport: Transport;
  readonly #credentials: AuthInjector;
  readonly #clock: Clock;
  readonly #metrics: Metrics | undefined;
  readonly #calls?: (labels: { app: string; operation: string; status_class: string }) => { inc(): void };
  readonly #durations?: (labels: { app: string; operation: string }) => { observe(value: number): void };
  readonly #observer: CallObserver;

  constructor(policy: OutboundPolicy, deps: AppClientDeps) {
    this.policy = policy;
    this.#transport = deps.transport;
    this.#credentials = deps.credentials;
    this.#clock = deps.clock ?? systemClock;
    this.#metrics = deps.metrics;
    if (deps.metrics) {
      this.#calls = labelledChildren(deps.metrics.outboundCalls);
      this.#durations = labelledChildren(deps.metrics.outboundDuration);
    }
    this.#observer = deps.observer ?? {};
    const clock = this.#clock;
    this.pacer = new Pacer({
      app: policy.app,
      concurrency: policy.concurrency,
      budget: deps.budget ?? new LocalBudget(() => clock.now()),
      clock,
      ...(policy.budget ? { requests: policy.budget.requests, perMs: policy.budget.perMs } : {}),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
    });
    const metrics = deps.metrics;
    this.breaker = new CircuitBreaker({
      ...policy.breaker,
      now: () => clock.now(),
      onChange: (state) => metrics?.circuitState.set({ app: policy.app }, { closed: 0, halfOpen: 1, open: 2 }[state]),
    });
    metrics?.circuitState.set({ app: policy.app }, 0);
  }

  /** Sends with pacing and retries; returns the final classified answer, or throws the SCIM request's error. */
  async send(request: ClientRequest, classify: Classifier, scope: CallScope, meta: CallMeta): Promise<AppAnswer> {
    let attempt = 1;
    let refreshed = false;
    for (;;) {
      const tried = await this.#try(request, classify, scope, meta, attempt);
      const decision = this.#decide(tried, request, scope, meta, attempt, refreshed);
      if ('final' in decision) return decision.final;
      if ('error' in decision) throw decision.error;
      if (decision.again === 'authRefresh') {
        refreshed = true;
        this.#credentials.invalidate();
      } else {
        attempt++;
        this.#metrics?.outboundRetries.inc({ app: this.policy.app });
      }
      try {
        if (decision.delayMs > 0) await this.#clock.sleep(decision.delayMs, scope.signal);
      } catch (error) {
        throw this.#stopped(error, scope, meta.operation);
      }
    }
  }

  /** admit → pace → authorize → attempt → classify, once. */
  async #try(
    request: ClientRequest,
    classify: Classifier,
    scope: CallScope,
    meta: CallMeta,
    attempt: number,
  ): Promise<Tried> {
    const remaining = scope.deadline - this.#clock.now();
    if (remaining <= 0) throw this.#deadlineError(meta.operation);
    // Fails fast while the circuit is open, before queueing; the call is admitted (and may become the
    // probe) only when it is about to be sent: calls that queued before the circuit opened must not go.
    this.breaker.check(this.policy.app);
    const { buckets, ...outbound } = request;
    const call: OutboundRequest = {
      ...outbound,
      headers: { ...outbound.headers, ...(scope.requestId ? { 'x-request-id': scope.requestId } : {}) },
    };
    let probe = false;
    const started = this.#clock.now();
    try {
      const answer = await this.pacer.run(
        async () => {
          probe = this.breaker.admit(this.policy.app);
          await this.#credentials.apply(call);
          return this.#attempt(call, classify, scope);
        },
        {
          ...(scope.signal ? { signal: scope.signal } : {}),
          deadline: scope.deadline,
          ...(buckets ? { buckets } : {}),
        },
      );
      this.#record(meta.operation, request.method, answer.status, started, attempt);
      return { answer };
    } catch (error) {
      if (error instanceof NetworkError) {
        this.#record(meta.operation, request.method, 'network', started, attempt);
        return { failure: error };
      }
      if (probe) this.breaker.abandon();
      if (error instanceof ResponseTooLargeError) {
        throw new UpstreamError(
          'SCIMGW_UPSTREAM_TOO_LARGE',
          `The app's answer is larger than ${error.limit} bytes (${this.policy.label} ${meta.operation}); the gateway does not read it`,
        );
      }
      throw this.#stopped(error, scope, meta.operation);
    }
  }

  /**
   * Sends one call. A read in flight is aborted with the SCIM request; a write is bounded only by the
   * deadline, so its answer (what the app did) is not lost to a client that hung up. The breaker hears how it went before the
   * pacer's slot passes to the next call, so that one is already refused when this one opened the circuit.
   */
  async #attempt(call: OutboundRequest, classify: Classifier, scope: CallScope): Promise<AppAnswer> {
    const remaining = Math.max(1, scope.deadline - this.#clock.now());
    const timeoutMs = Math.min(this.policy.timeoutMs, remaining);
    // A real timer, whatever the clock: it only bounds a call already on the wire (the clock's waits
    // happened before it). At the deadline a write's answer is given up too: its create stays reserved,
    // and Entra's retry finds the object by lookup.
    const bound = linkedSignal(call.method === 'GET' ? [scope.signal] : [], remaining);
    let response: AppResponse;
    try {
      const sent = await this.#transport.send(call, {
        timeoutMs,
        signal: bound.signal,
        maxBytes: this.policy.maxResponseBytes,
      });
      response = { status: sent.status, headers: sent.headers, body: parseBody(sent.body) };
    } catch (error) {
      if (error instanceof NetworkError) this.breaker.failure();
      throw error;
    } finally {
      bound.release();
    }
    const outcome = await classify(response);
    if (outcome.result === 'retry') this.breaker.failure();
    else this.breaker.success();
    this.#pauseFor(response.headers, outcome.result);
    return { ...response, outcome };
  }

  /** Return, retry or give up. */
  #decide(
    tried: Tried,
    request: ClientRequest,
    scope: CallScope,
    meta: CallMeta,
    attempt: number,
    refreshed: boolean,
  ): Decision {
    let reason: RetryReason;
    let requestedWaitMs: number | undefined;
    const answer = tried.answer;
    if (!answer) {
      reason = tried.failure.sent ? 'transient' : 'notSent';
    } else {
      const result = answer.outcome.result;
      if (result === 'authFailed' && this.#credentials.refreshable && !refreshed) reason = 'authRefresh';
      else if (result === 'rateLimited' || result === 'retry') {
        reason = result === 'rateLimited' ? 'rateLimited' : 'transient';
        const asked =
          waitFromHeaders(answer.headers, this.#clock.now()) ??
          (result === 'rateLimited' ? DEFAULT_RATE_LIMIT_WAIT_MS : undefined);
        requestedWaitMs = asked === undefined ? undefined : this.#capped(asked);
        if (result === 'rateLimited') this.#metrics?.rateLimited.inc({ app: this.policy.app });
      } else return { final: answer };
    }
    const { retry } = this.policy;
    const decision = decideRetry({
      attempt,
      maxAttempts: retry.maxAttempts,
      reason,
      method: request.method,
      conflictDetectable: meta.conflictDetectable,
      initialDelayMs: retry.initialDelayMs,
      maxDelayMs: retry.maxDelayMs,
      remainingMs: scope.deadline - this.#clock.now(),
      ...(requestedWaitMs !== undefined ? { requestedWaitMs } : {}),
    });
    if (decision.retry) return { again: reason, delayMs: decision.delayMs };
    const what = `${this.policy.label} ${meta.operation}`;
    if (!answer)
      return {
        error: new UnavailableError(
          `The app could not be reached (${what}); retry later`,
          decision.retryAfterMs / 1000,
        ),
      };
    const result = answer.outcome.result;
    // Refused credentials (after a renewal, or not renewable) are the caller's to report.
    if (result !== 'rateLimited' && result !== 'retry') return { final: answer };
    return { error: laterError(result, what, answer.status, decision.retryAfterMs) };
  }

  /** An app's wait, cut to maxPause: a Retry-After of a day must not stop provisioning for a day. */
  #capped(ms: number): number {
    if (ms <= this.policy.maxPauseMs) return ms;
    this.#metrics?.pauseCapped.inc({ app: this.policy.app });
    return this.policy.maxPauseMs;
  }

  /**
   * A 429 pauses every replica for its Retry-After; so does an exhausted budget announced on another answer,
   * until the app's reset. Set before the pacer's slot passes on, so the next queued call already waits.
   */
  #pauseFor(headers: Record<string, string>, outcome: Verdict['result']): void {
    if (outcome === 'rateLimited') {
      this.pacer.pause(this.#capped(waitFromHeaders(headers, this.#clock.now()) ?? DEFAULT_RATE_LIMIT_WAIT_MS));
    } else if (rateLimitExhausted(headers)) {
      const reset = waitFromHeaders(headers, this.#clock.now());
      if (reset !== undefined && reset > 0) this.pacer.pause(this.#capped(reset));
    }
  }

  #record(operation: string, method: string, status: number | 'network', started: number, attempt: number): void {
    const durationMs = this.#clock.now() - started;
    this.#observer.onCall?.({ connector: this.policy.label, operation, method, status, durationMs, attempt });
    const statusClass = status === 'network' ? 'network' : `${Math.floor(status / 100)}xx`;
    this.#calls?.({ app: this.policy.app, operation, status_class: statusClass }).inc();
    this.#durations?.({ app: this.policy.app, operation }).observe(durationMs / 1000);
  }

  /** What a wait that stopped early becomes: the client left, the deadline passed, or the error itself. */
  #stopped(error: unknown, scope: CallScope, operation: string): unknown {
    if (scope.signal?.aborted)
      return scope.signal.reason instanceof RequestAbandonedError
        ? scope.signal.reason
        : this.#deadlineError(operation);
    const name = (error as Error | undefined)?.name;
    if (name === 'AbortError' || name === 'TimeoutError') return this.#deadlineError(operation);
    return error;
  }

  #deadlineError(operation: string): UnavailableError {
    const wait = Math.max(5, Math.ceil(this.pacer.drainEstimateMs / 1000));
    return new UnavailableError(
      `The app did not answer in time (${this.policy.label} ${operation}); retry later`,
      wait,
    );
  }

  close(): void {
    this.pacer.close();
  }
}

/** True when the app says its budget is used up ("remaining: 0" in the usual rate-limit headers). */
function rateLimitExhausted(headers: Record<string, string>): boolean {
  const remaining =
    headers['x-ratelimit-remaining'] ?? headers['ratelimit-remaining'] ?? headers['x-rate-limit-remaining'];
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
