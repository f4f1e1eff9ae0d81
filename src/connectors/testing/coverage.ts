/**
 * What a connector's fixtures prove, taken from the calls the cases actually made: every operation the
 * connector declares, and its handling of a 404, a conflict, a 429 and a 5xx. Shared by the contract test
 * over the bundled connectors and by `scimgw connector validate`, so both demand the same thing.
 */
import type { CompiledConnector } from '../compiled.ts';
import type { FixtureResult } from './run-fixture.ts';

export interface FixtureCoverage {
  operations: Set<string>;
  statuses: Set<number>;
  scimStatuses: Set<number>;
}

export interface CoverageGaps {
  /** Declared operations no case ran, named as the engine reports its calls (User.create, Group.members.add…). */
  operations: string[];
  /** Answers no case shows, as phrases ("an app 429"). */
  answers: string[];
}

/** The operations a connector declares, named as the engine reports its calls. */
export function declaredOperations(connector: CompiledConnector): string[] {
  const out: string[] = [];
  for (const kind of ['User', 'Group'] as const) {
    const resource = connector.resources[kind];
    if (!resource) continue;
    for (const op of ['create', 'get', 'list', 'update', 'deactivate', 'reactivate', 'delete'] as const)
      if (resource[op]) out.push(`${kind}.${op}`);
    if (resource.members)
      for (const op of ['add', 'remove', 'list', 'addMany', 'removeMany'] as const)
        if (resource.members[op]) out.push(`${kind}.members.${op}`);
  }
  return out;
}

export function emptyCoverage(): FixtureCoverage {
  return { operations: new Set(), statuses: new Set(), scimStatuses: new Set() };
}

export function addToCoverage(
  coverage: FixtureCoverage,
  result: Pick<FixtureResult, 'operations' | 'statuses' | 'scimStatus'>,
): void {
  for (const operation of result.operations) coverage.operations.add(operation);
  for (const status of result.statuses) coverage.statuses.add(status);
  coverage.scimStatuses.add(result.scimStatus);
}

export function coverageGaps(connector: CompiledConnector, coverage: FixtureCoverage): CoverageGaps {
  const seen = [...coverage.operations];
  // The engine may report a step of an operation as "<operation>.<step>": that still exercises it.
  const operations = declaredOperations(connector).filter(
    (op) => !seen.some((name) => name === op || name.startsWith(`${op}.`)),
  );
  const { statuses, scimStatuses } = coverage;
  const answers: string[] = [];
  if (!statuses.has(404)) answers.push('an app 404');
  if (!statuses.has(409) && !scimStatuses.has(409)) answers.push('a conflict (app 409 or a SCIM 409)');
  if (!statuses.has(429)) answers.push('an app 429');
  if (![...statuses].some((status) => status >= 500)) answers.push('an app 5xx');
  return { operations, answers };
}
