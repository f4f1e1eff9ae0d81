/**
 * Every connector's fixtures (connectors/<name>/fixtures/*.yaml) run through the real gateway with the
 * network locked, and each connector proves every operation it declares and its handling of a 404, a
 * conflict, a 429 and a 5xx.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/connectors/loader.ts';
import { addToCoverage, coverageGaps, emptyCoverage } from '../../src/connectors/testing/coverage.ts';
import { loadFixtureApp, loadFixtures } from '../../src/connectors/testing/fixture.ts';
import { runFixture } from '../../src/connectors/testing/run-fixture.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'connectors');
const names = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'connector.yaml')));

describe.each(names)('connector %s', (name) => {
  const dir = join(ROOT, name);
  const connector = loadConnector(dir);
  const app = loadFixtureApp(dir);
  const cases = loadFixtures(dir);
  const coverage = emptyCoverage();

  it('has fixtures', () => {
    expect(cases.length, `${name}: add cases under connectors/${name}/fixtures/`).toBeGreaterThan(0);
  });

  for (const { name: caseName, file, fixture } of cases) {
    it(`${caseName}: ${fixture.description}`, async () => {
      const result = await runFixture(dir, connector, app, fixture);
      addToCoverage(coverage, result);
      expect(result.problems, file).toEqual([]);
    });
  }

  it('covers every operation it declares, and 404, conflict, 429 and 5xx answers', () => {
    const gaps = coverageGaps(connector, coverage);
    expect(gaps.operations, `${name}: no fixture exercises these operations`).toEqual([]);
    expect(gaps.answers, `${name}: no fixture shows`).toEqual([]);
  });
});
