/**
 * Every connector's fixtures (connectors/<name>/fixtures/*.yaml) run through the real gateway with the
 * network locked, and each connector proves every operation it declares and its handling of a 404, a
 * conflict, a 429 and a 5xx.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/connectors/loader.ts';
import { addToCoverage, coverageGaps, emptyCoverage } from '../../src/connectors/testing/coverage.ts';
import { loadFixtureApp, loadFixtures } from '../../src/connectors/testing/fixture.ts';
import { runFixture, type FixtureResult } from '../../src/connectors/testing/run-fixture.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'connectors');
const names = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'connector.yaml')));

describe.each(names)('connector %s', (name) => {
  const dir = join(ROOT, name);
  const connector = loadConnector(dir);
  const app = loadFixtureApp(dir);
  const cases = loadFixtures(dir);
  // Every case runs once, before any test reads the results: each test (the coverage one included) then
  // passes or fails alone, whatever runs before it, filtered with -t or shuffled.
  const results = new Map<string, FixtureResult>();
  beforeAll(async () => {
    for (const { name: caseName, fixture } of cases)
      results.set(caseName, await runFixture(dir, connector, app, fixture));
  });

  it('has fixtures', () => {
    expect(cases.length, `${name}: add cases under connectors/${name}/fixtures/`).toBeGreaterThan(0);
  });

  for (const { name: caseName, file, fixture } of cases) {
    it(`${caseName}: ${fixture.description}`, () => {
      expect(results.get(caseName)!.problems, file).toEqual([]);
    });
  }

  it('covers every operation it declares, and 404, conflict, 429 and 5xx answers', () => {
    const coverage = emptyCoverage();
    for (const result of results.values()) addToCoverage(coverage, result);
    const gaps = coverageGaps(connector, coverage);
    expect(gaps.operations, `${name}: no fixture exercises these operations`).toEqual([]);
    expect(gaps.answers, `${name}: no fixture shows`).toEqual([]);
  });
});
