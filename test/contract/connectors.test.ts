/**
 * Every connector's fixtures (connectors/<name>/fixtures/*.yaml) run through the real gateway with the
 * network locked, and each connector proves every operation it declares and its handling of a 404, a
 * conflict, a 429 and a 5xx.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { loadFixtureApp, loadFixtures } from '../../src/connectors/testing/fixture.ts';
import { runFixture } from '../../src/connectors/testing/run-fixture.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'connectors');
const names = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'connector.yaml')));

/** The operations a connector declares, named as the engine reports its calls. */
function declaredOperations(connector: CompiledConnector): string[] {
  const out: string[] = [];
  for (const kind of ['User', 'Group'] as const) {
    const resource = connector.resources[kind];
    if (!resource) continue;
    for (const op of ['create', 'get', 'list', 'update', 'deactivate', 'reactivate', 'delete'] as const) if (resource[op]) out.push(`${kind}.${op}`);
    if (resource.members) for (const op of ['add', 'remove', 'list'] as const) if (resource.members[op]) out.push(`Group.members.${op}`);
  }
  return out;
}

describe.each(names)('connector %s', (name) => {
  const dir = join(ROOT, name);
  const connector = loadConnector(dir);
  const app = loadFixtureApp(dir);
  const cases = loadFixtures(dir);
  const operations = new Set<string>();
  const statuses = new Set<number>();
  const scimStatuses = new Set<number>();

  it('has fixtures', () => {
    expect(cases.length, `${name}: add cases under connectors/${name}/fixtures/`).toBeGreaterThan(0);
  });

  for (const { name: caseName, file, fixture } of cases) {
    it(`${caseName}: ${fixture.description}`, async () => {
      const result = await runFixture(dir, connector, app, fixture);
      for (const operation of result.operations) operations.add(operation);
      for (const status of result.statuses) statuses.add(status);
      scimStatuses.add(result.scimStatus);
      expect(result.problems, file).toEqual([]);
    });
  }

  it('covers every operation it declares, and 404, conflict, 429 and 5xx answers', () => {
    const missing = declaredOperations(connector).filter((op) => ![...operations].some((seen) => seen === op || seen.startsWith(`${op}.`)));
    expect(missing, `${name}: no fixture exercises these operations`).toEqual([]);
    const answers: string[] = [];
    if (!statuses.has(404)) answers.push('an app 404');
    if (!statuses.has(409) && !scimStatuses.has(409)) answers.push('a conflict (app 409 or a SCIM 409)');
    if (!statuses.has(429)) answers.push('an app 429');
    if (![...statuses].some((status) => status >= 500)) answers.push('an app 5xx');
    expect(answers, `${name}: no fixture shows`).toEqual([]);
  });
});
