/**
 * What an app's answer means for the gateway, as the outbound client sees it: the kinds of outcome, and the
 * defaults every HTTP API shares. Connectors add their own rules on top (connectors/outcomes.ts).
 */

export const OUTCOMES = ['success', 'notFound', 'conflict', 'rateLimited', 'authFailed', 'retry', 'fail'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Verdict {
  result: Outcome;
  /** A connector rule's message for the SCIM error (never the app's body). */
  message?: string;
}

export function defaultOutcome(status: number): Outcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 404 || status === 410) return 'notFound';
  if (status === 409) return 'conflict';
  if (status === 429) return 'rateLimited';
  if (status === 401 || status === 403) return 'authFailed';
  if (status === 408 || status >= 500) return 'retry';
  return 'fail';
}
