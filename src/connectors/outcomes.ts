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
import type { AppResponse } from '../outbound/app-client.ts';
import { defaultOutcome, type Outcome, type Verdict } from '../outbound/outcome.ts';
import type { CompiledOutcome } from './compiled.ts';

export type { AppResponse } from '../outbound/app-client.ts';
export { defaultOutcome } from '../outbound/outcome.ts';
export type Classified = Verdict;
type OutcomeResult = Outcome;

export async function classify(response: AppResponse, rules: readonly CompiledOutcome[]): Promise<Verdict> {
  for (const rule of rules) {
    if (!rule.status.has(response.status)) continue;
    if (rule.when && !(await rule.when.evaluate(response.body, { status: response.status, headers: response.headers })))
      continue;
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
      return new ConflictError(
        `The app already has an object with these values (${what} answered HTTP ${context.status})${extra}`,
      );
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
      return new ScimRequestError(
        'invalidValue',
        `The app refused the values (${what} answered HTTP ${context.status})${extra}`,
      );
    case 'success':
      return new GatewayError('SCIMGW_INTERNAL', 500, `${what}: a success was treated as an error`);
  }
}
