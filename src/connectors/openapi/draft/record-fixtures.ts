/**
 * Writes a draft's fixture files: each Entra case runs through the gateway with the draft connector while
 * a DocumentTransport answers from the document, and the calls it made become the case's exchanges. The
 * draft's fixtures therefore pass `connector test` by construction; a case that did not end with the SCIM
 * status Entra needs is returned as a problem for the review list.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { CompiledConnector } from '../../compiled.ts';
import type { FixtureApp, FixtureCase } from '../../testing/fixture.ts';
import type { RecordedCall } from '../../testing/replay-transport.ts';
import { runFixture } from '../../testing/run-fixture.ts';
import type { OperationIndex } from '../operations.ts';
import type { DraftCase } from './cases.ts';
import { DocumentTransport } from './record.ts';

export interface RecordInput {
  dir: string;
  connector: CompiledConnector;
  app: FixtureApp;
  index: OperationIndex;
  serverPath: string;
  cases: DraftCase[];
}

/** A recorded call as a fixture exchange, its URL relative to the connector's base URL. */
function exchangeOf(call: RecordedCall, basePath: string): FixtureCase['exchanges'][number] {
  const url = new URL(call.request.url);
  const query = Object.fromEntries(url.searchParams);
  return {
    request: {
      method: call.request.method,
      url: url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) : url.href,
      ...(Object.keys(query).length ? { query } : {}),
      ...(call.body !== undefined ? { body: call.body } : {}),
    },
    response: {
      status: call.response.status,
      ...(call.response.headers ? { headers: call.response.headers } : {}),
      ...(call.response.body !== undefined ? { body: call.response.body } : {}),
    },
  };
}

export async function recordFixtures(input: RecordInput): Promise<string[]> {
  const { dir, connector, app } = input;
  const basePath = new URL(
    await connector.http.baseUrl.render({ config: app.settings, secrets: app.secrets }),
  ).pathname.replace(/\/+$/, '');
  const problems: string[] = [];
  for (const recorded of input.cases) {
    const given = recorded.given ? { given: recorded.given } : {};
    const run: FixtureCase = {
      description: recorded.description,
      request: recorded.request,
      exchanges: [],
      ...given,
      expect: { status: 0 },
    };
    const result = await runFixture(dir, connector, app, run, {
      transport: () => new DocumentTransport(input.index, input.serverPath, recorded.overrides),
    });
    if (recorded.expect !== undefined && result.scimStatus !== recorded.expect)
      problems.push(`${recorded.name}: Entra's request got ${result.scimStatus}, not ${recorded.expect}`);
    const fixture = {
      description: recorded.description,
      ...given,
      request: recorded.request,
      exchanges: result.calls.map((call) => exchangeOf(call, basePath)),
      expect: { status: result.scimStatus },
    };
    writeFileSync(
      join(dir, 'fixtures', `${recorded.name}.yaml`),
      `# Recorded from the document's examples (or values made from its schema). REVIEW against the real app.\n${stringify(fixture, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    );
  }
  return problems;
}
