/**
 * Classifies an app's answer into an outcome, connector rules first, then the defaults every API
 * shares, and turns outcomes that end a SCIM request into the gateway's errors.
 */
import {
  ConflictError,
  GatewayError,
  NotFoundError,
  ScimRequestError,
  UnavailableError,
  UpstreamError,
} from '../errors.ts';
import type { CompiledOutcome } from './compiled.ts';
import type { OutcomeResult } from './manifest.ts';

export interface AppResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
}

export function defaultOutcome(status: number): OutcomeResult {
  if (status >= 200 && status < 300) return 'success';
  if (status === 404 || status === 410) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rateLimited';
  if (status === 401 || status === 403) return 'authFailed';
  if (status === 408 || status >= 500) return 'retry';
  return 'fail';
}

export interface Classified {
  result: OutcomeResult;
  message?: string;
}

export async function classify(response: AppResponse, rules: readonly CompiledOutcome[]): Promise<Classified> {
  for (const rule of rules) {
    if (!rule.status.has(response.status)) continue;
    if (rule.when && !(await rule.when.evaluate(response.body, { status: response.status, headers: response.headers }))) continue;
    return { result: rule.result, ...(rule.message !== undefined ? { message: rule.message } : {}) };
  }
  return { result: defaultOutcome(response.status) };
}

export interface OutcomeContext {
  connector: string;
  operation: string;
  status: number;
  message?: string;
  retryAfterMs?: number;
}

/** The error for an outcome that ends the SCIM request. The app's body is never echoed. */
export function outcomeError(result: OutcomeResult, context: OutcomeContext): GatewayError {
  const what = `${context.connector} ${context.operation}`;
  const extra = context.message ? `: ${context.message}` : '';
  switch (result) {
    case 'notFound':
      return new NotFoundError(`The app has no such object (${what} answered HTTP ${context.status})${extra}`);
    case 'conflict':
      return new ConflictError(`The app already has an object with these values (${what} answered HTTP ${context.status})${extra}`);
    case 'authFailed':
      return new UpstreamError(
        'SCIMGW_UPSTREAM_AUTH',
        `The app refused the gateway's credentials (${what} answered HTTP ${context.status}); an administrator must check the app's API credentials in the gateway configuration`,
        context.status,
      );
    case 'rateLimited':
    case 'retry':
      return new UnavailableError(
        `The app is ${result === 'rateLimited' ? 'rate limiting the gateway' : 'not answering successfully'} (${what} answered HTTP ${context.status}); retry later`,
        (context.retryAfterMs ?? 5000) / 1000,
      );
    case 'fail':
      return new ScimRequestError('invalidValue', `The app refused the values (${what} answered HTTP ${context.status})${extra}`);
    case 'success':
      return new GatewayError('SCIMGW_INTERNAL', 500, `${what}: a success was treated as an error`);
  }
}
