/**
 * Loads a connector folder with its fixtures, and runs the cases one by one, turning a case that cannot
 * even start (a gateway that refuses the fixture's settings, say) into a failed case instead of a crash.
 */
import { ConfigError, formatIssues, type ConfigIssue } from '../../../errors.ts';
import type { CompiledConnector } from '../../../connectors/compiled.ts';
import { loadConnector } from '../../../connectors/loader.ts';
import {
  loadFixtureApp,
  loadFixtures,
  type FixtureApp,
  type LoadedFixture,
} from '../../../connectors/testing/fixture.ts';
import { runFixture, type FixtureResult } from '../../../connectors/testing/run-fixture.ts';

export interface LoadedConnector {
  connector: CompiledConnector;
  app: FixtureApp;
  cases: LoadedFixture[];
}

export interface CaseOutcome {
  name: string;
  problems: string[];
  /** Absent when the case could not run at all. */
  result?: FixtureResult;
}

function collect<T>(issues: ConfigIssue[], work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

/** Throws one ConfigError with the problems of connector.yaml, fixtures/_app.yaml and every case together. */
export function loadWithFixtures(dir: string): LoadedConnector {
  const issues: ConfigIssue[] = [];
  const connector = collect(issues, () => loadConnector(dir));
  const app = collect(issues, () => loadFixtureApp(dir));
  const cases = collect(issues, () => loadFixtures(dir));
  if (issues.length || !connector || !app || !cases) throw new ConfigError(issues);
  return { connector, app, cases };
}

export async function runCases(dir: string, loaded: LoadedConnector, cases = loaded.cases): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const { name, fixture } of cases) {
    try {
      const result = await runFixture(dir, loaded.connector, loaded.app, fixture);
      outcomes.push({ name, problems: result.problems, result });
    } catch (error) {
      const why =
        error instanceof ConfigError
          ? formatIssues(error.issues)
          : error instanceof Error
            ? error.message
            : String(error);
      outcomes.push({ name, problems: [`the case could not run: ${why}`] });
    }
  }
  return outcomes;
}

/**
 * One runner problem as diff lines: "<where>: expected X, got Y" becomes the place, then "- expected" and
 * "+ actual" under it, so a long body mismatch reads as a diff. Other problems stay one line.
 */
export function problemLines(problem: string): string[] {
  const at = problem.indexOf(': expected ');
  if (at < 0) return [problem];
  const rest = problem.slice(at + ': expected '.length);
  const split = rest.indexOf(', got ');
  if (split < 0) return [problem];
  return [
    `${problem.slice(0, at)}:`,
    `  - expected ${rest.slice(0, split)}`,
    `  + actual   ${rest.slice(split + ', got '.length)}`,
  ];
}
