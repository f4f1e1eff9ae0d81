/**
 * Whether and when to try an outbound call again. Pure, so every branch is tested without a network.
 *
 * A call is retried when the app was rate limited (the request was refused, so repeating it is always
 * safe), when it surely never reached the app, when the app refused credentials that can be renewed (once,
 * at once, without using up an attempt), or when it failed transiently and repeating it cannot make a
 * second object: the method is idempotent, or the operation resolves a conflict by lookup.
 */

export type RetryReason = 'rateLimited' | 'transient' | 'notSent' | 'authRefresh';

export interface RetryInput {
  /** 1 for the first attempt that just failed. */
  attempt: number;
  maxAttempts: number;
  reason: RetryReason;
  method: string;
  /** The operation detects a duplicate (adopt on conflict), so a repeated POST is harmless. */
  conflictDetectable: boolean;
  /** What the app asked for (Retry-After or a reset header), in ms. */
  requestedWaitMs?: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Time left before the SCIM request's deadline. */
  remainingMs: number;
  random?: () => number;
}

export type RetryDecision =
  | { retry: true; delayMs: number }
  | {
      retry: false;
      why: 'attempts' | 'unsafe' | 'deadline';
      /** How long the caller should tell its client to wait. */ retryAfterMs: number;
    };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

export function decideRetry(input: RetryInput): RetryDecision {
  if (input.reason === 'authRefresh')
    return input.remainingMs > 0 ? { retry: true, delayMs: 0 } : { retry: false, why: 'deadline', retryAfterMs: 1000 };
  const random = input.random ?? Math.random;
  const backoff = Math.min(input.maxDelayMs, input.initialDelayMs * 2 ** (input.attempt - 1));
  const delayMs = input.requestedWaitMs ?? Math.round(backoff / 2 + (random() * backoff) / 2);
  const retryAfterMs = Math.max(1000, delayMs);
  const safe = input.reason !== 'transient' || IDEMPOTENT.has(input.method.toUpperCase()) || input.conflictDetectable;
  if (!safe) return { retry: false, why: 'unsafe', retryAfterMs };
  if (input.attempt >= input.maxAttempts) return { retry: false, why: 'attempts', retryAfterMs };
  if (delayMs >= input.remainingMs) return { retry: false, why: 'deadline', retryAfterMs };
  return { retry: true, delayMs };
}
