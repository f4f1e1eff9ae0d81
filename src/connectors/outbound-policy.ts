/**
 * The one place an app's OutboundPolicy is resolved: the connector's http, rateLimit and retry blocks,
 * overridden by the app's rateLimit in gateway.yaml (requests 0 turns pacing off, leaving the
 * concurrency cap).
 */
import { toMilliseconds } from '../config/duration.ts';
import { DEFAULT_BREAKER, type OutboundPolicy } from '../outbound/policy.ts';
import type { CompiledConnector } from './compiled.ts';

/** What an app's gateway.yaml entry may say about its calls. */
export interface AppOutboundOverrides {
  id: string;
  rateLimit?: { requests: number; per: string | number; concurrency?: number | undefined } | undefined;
}

const DEFAULT_CONCURRENCY = 16;

export function outboundPolicy(connector: CompiledConnector, app?: AppOutboundOverrides): OutboundPolicy {
  const own = connector.rateLimit;
  const override = app?.rateLimit;
  const requests = override ? override.requests : own?.requests;
  const perMs = override ? toMilliseconds(override.per) : own?.perMs;
  return {
    app: app?.id ?? connector.id,
    label: connector.id,
    timeoutMs: connector.http.timeoutMs,
    maxResponseBytes: connector.http.maxResponseBytes,
    concurrency: override?.concurrency ?? own?.concurrency ?? DEFAULT_CONCURRENCY,
    ...(requests !== undefined && requests > 0 && perMs !== undefined ? { budget: { requests, perMs } } : {}),
    retry: {
      maxAttempts: connector.retry.maxAttempts,
      initialDelayMs: connector.retry.initialDelayMs,
      maxDelayMs: connector.retry.maxDelayMs,
    },
    breaker: DEFAULT_BREAKER,
    maxPauseMs: connector.retry.maxPauseMs,
  };
}
