/**
 * Runs checks in order, one line each as it finishes, and removes what the run created. A check whose
 * needed state was not produced is skipped, naming the check that should have produced it; once the
 * endpoint turns out to be unreachable the remaining checks are skipped rather than failed one by one.
 */
import { NetworkError } from '../outbound/transport.ts';
import { CheckFailed, STATE_SOURCES, type Check, type Context } from './check.ts';

export type Outcome = 'PASS' | 'FAIL' | 'SKIP';

export interface CheckResult {
  id: string;
  description: string;
  outcome: Outcome;
  reason?: string;
}

export interface RunReport {
  results: CheckResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Resources the run created and could not delete, as "/Users/<id>: why". */
  leftovers: string[];
}

function reasonOf(error: unknown): string {
  if (error instanceof CheckFailed) return error.message;
  if (error instanceof NetworkError) return `no answer: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function skipReason(
  check: Check,
  ctx: Context,
  outcomes: Map<string, Outcome>,
  unreachable: string | undefined,
): string | undefined {
  if (unreachable) return unreachable;
  const reason = check.skipWhen?.(ctx.state);
  if (reason) return reason;
  for (const key of check.needs ?? []) {
    if (ctx.state[key] !== undefined) continue;
    const source = STATE_SOURCES[key];
    const outcome = outcomes.get(source);
    return `needs ${source}, which ${outcome === 'SKIP' ? 'was skipped' : outcome === undefined ? 'has not run' : 'failed'}`;
  }
  return undefined;
}

export function formatResult(result: CheckResult): string {
  const line = `${result.outcome} ${result.id} ${result.description}`;
  return result.reason ? `${line}: ${result.reason}` : line;
}

export async function runChecks(
  checks: readonly Check[],
  ctx: Context,
  onResult: (result: CheckResult) => void,
): Promise<RunReport> {
  const results: CheckResult[] = [];
  const outcomes = new Map<string, Outcome>();
  let unreachable: string | undefined;
  for (const check of checks) {
    const skip = skipReason(check, ctx, outcomes, unreachable);
    let result: CheckResult;
    if (skip) {
      result = { id: check.id, description: check.description, outcome: 'SKIP', reason: skip };
    } else {
      try {
        await check.run(ctx);
        result = { id: check.id, description: check.description, outcome: 'PASS' };
      } catch (error) {
        result = { id: check.id, description: check.description, outcome: 'FAIL', reason: reasonOf(error) };
        if (error instanceof NetworkError && !error.sent) unreachable = `the endpoint is unreachable (${error.code})`;
      }
    }
    outcomes.set(check.id, result.outcome);
    results.push(result);
    onResult(result);
  }
  const leftovers = unreachable
    ? ctx.created.map(({ endpoint, id }) => `/${endpoint}/${id}: the endpoint is unreachable`)
    : await cleanUp(ctx);
  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  return { results, passed: count('PASS'), failed: count('FAIL'), skipped: count('SKIP'), leftovers };
}

/** Deletes, newest first (groups before their members), whatever the checks created and did not delete. */
async function cleanUp(ctx: Context): Promise<string[]> {
  const leftovers: string[] = [];
  for (const { endpoint, id } of [...ctx.created].reverse()) {
    const path = `/${endpoint}/${encodeURIComponent(id)}`;
    try {
      const answer = await ctx.client.delete(path);
      if (answer.status !== 204 && answer.status !== 200 && answer.status !== 404)
        leftovers.push(`${path}: DELETE answered ${answer.status}`);
    } catch (error) {
      leftovers.push(`${path}: ${reasonOf(error)}`);
    }
  }
  ctx.created = [];
  return leftovers;
}
