/**
 * Everything that decides how one app is called, resolved once per app (connectors/outbound-policy.ts
 * reads it from the connector and the app's gateway.yaml entry) and handed whole to its AppClient.
 */

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface BreakerPolicy {
  failureThreshold: number;
  windowMs: number;
  openMs: number;
  maxOpenMs: number;
}

export interface OutboundPolicy {
  /** The gateway app: the budget's key and the metrics' label. */
  app: string;
  /** The connector, named in error messages ("zendesk User.get"). */
  label: string;
  /** Per call: the longest one attempt may take (the SCIM request's deadline may cut it shorter). */
  timeoutMs: number;
  /** An answer whose body is larger is abandoned (502): one page of an app must not exhaust memory. */
  maxResponseBytes: number;
  /** Calls in flight at once from this replica. */
  concurrency: number;
  /** At most `requests` per `perMs` across every replica; absent when the app is not paced. */
  budget?: { requests: number; perMs: number };
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  /** The longest an app's Retry-After or rate-limit reset header may hold its calls. */
  maxPauseMs: number;
}

export const DEFAULT_BREAKER: BreakerPolicy = {
  failureThreshold: 5,
  windowMs: 30_000,
  openMs: 5_000,
  maxOpenMs: 60_000,
};
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_PAUSE_MS = 120_000;
/** How long a 429 without Retry-After holds the app's calls. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 2_000;
