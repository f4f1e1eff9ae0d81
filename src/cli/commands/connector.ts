/**
 * `scimgw connector new|validate|test`: the connector author's loop. `new` writes a skeleton that already
 * validates and passes its example fixture; `validate` reports every problem as file:line:col plus what
 * the connector leaves out (Entra's default attributes, operations and answers no fixture proves); `test`
 * runs the fixtures with the network locked and shows each failure as expected/actual lines.
 */
import type { Command } from 'commander';
import { ConfigError, formatIssue } from '../../errors.ts';
import { addToCoverage, coverageGaps, emptyCoverage } from '../../connectors/testing/coverage.ts';
import { unmappedEntraAttributes } from './connector/entra-attributes.ts';
import { loadWithFixtures, problemLines, runCases, type LoadedConnector } from './connector/run-cases.ts';
import { scaffoldConnector, scaffoldRefusal } from './connector/scaffold.ts';
import { checkSpecCommand } from './connector/check-spec.ts';
import { fromOpenApiCommand } from './connector/from-openapi.ts';
import { pathFrom, shown, type CliIo } from '../io.ts';

/** Loads the folder, or prints every problem and sets exit code 1. */
function load(io: CliIo, dir: string): LoadedConnector | undefined {
  try {
    return loadWithFixtures(pathFrom(io, dir));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) io.err(`${formatIssue({ ...issue, file: shown(io, issue.file) })}\n`);
    io.err(`${error.issues.length} problem${error.issues.length === 1 ? '' : 's'} in ${dir}\n`);
    io.exitCode = 1;
    return undefined;
  }
}

function newConnector(io: CliIo, name: string, options: { dir: string }): void {
  const parent = pathFrom(io, options.dir);
  const refusal = scaffoldRefusal(name, parent);
  if (refusal) {
    io.err(`scimgw connector new: ${refusal}\n`);
    io.exitCode = 1;
    return;
  }
  const { files } = scaffoldConnector(name, parent);
  const folder = `${options.dir.replace(/\/+$/, '')}/${name}`;
  io.out(`created ${folder}/\n`);
  for (const file of files) io.out(`  ${file}\n`);
  io.out(
    `next: edit connector.yaml and the mappings for the app's API, then run scimgw connector validate ${folder}\n`,
  );
}

async function validate(io: CliIo, dir: string, options: { strict?: boolean }): Promise<void> {
  const out = (line: string) => io.out(`${line}\n`);
  const loaded = load(io, dir);
  if (!loaded) return;
  const { connector, cases } = loaded;
  out(`ok: ${connector.id} ${connector.manifest.metadata.version}`);
  const warnings: string[] = [];
  const user = connector.resources.User;
  if (user) {
    const unmapped = unmappedEntraAttributes(user.attributes);
    if (unmapped.length)
      warnings.push(`resources.User.attributes does not map these Entra default attributes: ${unmapped.join(', ')}`);
  }
  if (!cases.length)
    warnings.push(
      `no fixture cases in ${dir}/fixtures: add one per operation, and cases for a 404, a conflict, a 429 and a 5xx`,
    );
  // What the fixtures prove is read from the calls they make, so they have to run.
  const outcomes = await runCases(pathFrom(io, dir), loaded);
  const coverage = emptyCoverage();
  for (const outcome of outcomes) if (outcome.result) addToCoverage(coverage, outcome.result);
  const failed = outcomes.filter((outcome) => outcome.problems.length).map((outcome) => outcome.name);
  if (failed.length)
    warnings.push(
      `${failed.length} fixture case${failed.length === 1 ? ' fails' : 's fail'} (${failed.join(', ')}): run scimgw connector test ${dir}`,
    );
  const gaps = coverageGaps(connector, coverage);
  if (gaps.operations.length)
    warnings.push(`no fixture exercises these declared operations: ${gaps.operations.join(', ')}`);
  if (gaps.answers.length) warnings.push(`no fixture shows ${gaps.answers.join(', ')}`);
  for (const warning of warnings) out(`warning: ${warning}`);
  if (options.strict && warnings.length) {
    io.err(`--strict: ${warnings.length} warning${warnings.length === 1 ? '' : 's'}\n`);
    io.exitCode = 1;
  }
}

async function test(io: CliIo, dir: string, options: { case?: string }): Promise<void> {
  const out = (line: string) => io.out(`${line}\n`);
  const loaded = load(io, dir);
  if (!loaded) return;
  const cases = options.case === undefined ? loaded.cases : loaded.cases.filter((entry) => entry.name === options.case);
  if (!cases.length) {
    const available = loaded.cases.map((entry) => entry.name).join(', ');
    io.err(
      options.case === undefined
        ? `no fixture cases in ${dir}/fixtures\n`
        : `no case "${options.case}" in ${dir}/fixtures${available ? ` (cases: ${available})` : ''}\n`,
    );
    io.exitCode = 1;
    return;
  }
  let passed = 0;
  for (const outcome of await runCases(pathFrom(io, dir), loaded, cases)) {
    if (!outcome.problems.length) {
      passed++;
      out(`✓ ${outcome.name}`);
      continue;
    }
    out(`✗ ${outcome.name}`);
    for (const problem of outcome.problems) for (const line of problemLines(problem)) out(`    ${line}`);
  }
  const failed = cases.length - passed;
  out(`${passed} passed, ${failed} failed`);
  if (failed) io.exitCode = 1;
}

export function register(program: Command, io: CliIo): void {
  const connector = program.command('connector').description('Write, check and test connectors');
  connector
    .command('new')
    .description(
      'Create a connector skeleton for a JSON REST API: connector.yaml, mappings, README and an example fixture',
    )
    .argument('<name>', 'connector id and folder name: lower-case letters, digits and dashes')
    .option('--dir <dir>', 'folder that holds connector folders', 'connectors')
    .action((name: string, options: { dir: string }) => newConnector(io, name, options));
  connector
    .command('validate')
    .description('Load a connector and its fixtures; report problems as file:line:col, then what it leaves out')
    .argument('<dir>', 'the connector folder')
    .option('--strict', 'exit 1 on warnings too')
    .action((dir: string, options: { strict?: boolean }) => validate(io, dir, options));
  connector
    .command('test')
    .description("Run a connector's fixtures with the network locked")
    .argument('<dir>', 'the connector folder')
    .option('--case <name>', 'run only this case (its file name without .yaml)')
    .action((dir: string, options: { case?: string }) => test(io, dir, options));
  connector
    .command('check-spec')
    .description(
      "Hold every call of the connector's fixtures, and the fields its mappings read, against the vendor's OpenAPI document",
    )
    .argument('<dir>', 'the connector folder')
    .option('--routes', 'also list every route called, with its verdict')
    .option('--document <file or URL>', "check against this document instead of connector.yaml's openapi.document")
    .action((dir: string, options: { routes?: boolean; document?: string }) => checkSpecCommand(io, dir, options));
  connector
    .command('from-openapi')
    .description(
      "Draft a connector folder from a vendor's OpenAPI document: operations, paging, auth, proposed mappings, a document slice and recorded fixtures",
    )
    .argument('<document>', 'the OpenAPI document: a YAML or JSON file, an http(s) URL, or npm:<package>/<file>')
    .option('--users <path>', 'the collection Entra users become, as the document writes it (e.g. /users)')
    .option('--groups <path>', 'the collection Entra groups become (e.g. /teams)')
    .option('--dir <dir>', 'folder that holds connector folders', 'connectors')
    .option('--name <id>', "connector id and folder name (default: from the document's title)")
    .action((document: string, options: { users?: string; groups?: string; dir: string; name?: string }) =>
      fromOpenApiCommand(io, document, options),
    );
}
