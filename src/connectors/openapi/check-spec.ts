/**
 * `scimgw connector check-spec`: runs every fixture of a connector through the real gateway (as
 * `connector test` does), records every outbound call whole, and holds each against the vendor's OpenAPI
 * document named in connector.yaml (check-call.ts); then checks the fields the mappings read against the
 * documented answers (response-reads.ts). Findings carry the fixture's or the connector's file:line:col.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from '../../errors.ts';
import { issueAt, parseYaml, type YamlSource } from '../../config/yaml-source.ts';
import { loadConnector } from '../loader.ts';
import { loadFixtureApp, loadFixtures } from '../testing/fixture.ts';
import { runFixture } from '../testing/run-fixture.ts';
import { checkCall, type CallContext, type CallFinding } from './check-call.ts';
import { documentFile, loadOpenApi } from './document.ts';
import { OperationIndex } from './operations.ts';
import { outcomeStatusIssues } from './outcome-statuses.ts';
import { responseReadIssues } from './response-reads.ts';
import { SchemaValidators } from './schemas.ts';

export interface RouteSummary {
  route: string;
  status: 'ok' | 'finding' | 'allow-listed' | 'outside';
  calls: number;
}

export interface SpecReport {
  document: string;
  findings: ConfigIssue[];
  /** Warnings that do not fail the check (an allow-listed route no case calls). */
  warnings: string[];
  /** Every distinct route the fixtures called, with its verdict. */
  routes: RouteSummary[];
}

function templateRegex(path: string): RegExp {
  return new RegExp(
    `^${path
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
}

function findingPath(index: number, part: CallFinding['part'], source: YamlSource): (string | number)[] {
  const request = ['exchanges', index, 'request'];
  if (part === 'status') return ['exchanges', index, 'response', 'status'];
  const detail = [...request, part];
  return source.node(detail) ? detail : request;
}

export interface CheckOptions {
  /** A document to check against instead of (or without) the connector's openapi.document: a file or URL. */
  document?: string;
}

export async function checkSpec(dir: string, options: CheckOptions = {}): Promise<SpecReport> {
  const connector = loadConnector(dir);
  if (!connector.openapi && !options.document)
    throw new ConfigError([
      {
        file: connector.file,
        message:
          "No openapi block: name the vendor's OpenAPI document (openapi.document) to check the connector against it, or pass --document <file or URL>",
      },
    ]);
  const openapi = connector.openapi ?? {
    document: options.document!,
    pathPrefix: '',
    undocumented: [],
    commonStatuses: [],
  };
  const doc = await loadOpenApi(
    options.document ? documentFile(options.document, process.cwd()) : documentFile(openapi.document, dir),
  );
  const app = loadFixtureApp(dir);
  const index = new OperationIndex(doc.deref);
  const context: CallContext = {
    baseUrl: new URL(await connector.http.baseUrl.render({ config: app.settings, secrets: app.secrets })),
    pathPrefix: openapi.pathPrefix,
    index,
    validators: new SchemaValidators(doc),
    raw: doc.raw,
    allowListed: openapi.undocumented.map((entry) => ({
      method: entry.method,
      path: entry.path,
      regex: templateRegex(entry.path),
      ...(entry.query ? { query: entry.query } : {}),
      ...(entry.body ? { body: entry.body } : {}),
    })),
    commonStatuses: openapi.commonStatuses.map((entry) => entry.status),
  };
  const findings: ConfigIssue[] = [];
  const seen = new Map<string, ConfigIssue>();
  const routes = new Map<string, RouteSummary>();
  for (const { file, fixture } of loadFixtures(dir)) {
    const result = await runFixture(dir, connector, app, fixture);
    const source = parseYaml(file, readFileSync(file, 'utf8'));
    if (result.problems.length)
      findings.push({ file, message: `the case does not pass connector test (${result.problems[0]}); fix it first` });
    for (const call of result.calls) {
      const verdict = checkCall(context, call);
      const route = routes.get(verdict.route) ?? { route: verdict.route, status: verdict.status, calls: 0 };
      route.calls++;
      if (verdict.status === 'finding') route.status = 'finding';
      routes.set(verdict.route, route);
      for (const finding of verdict.findings) {
        // One line per defect: the same call made by several cases is reported at its first case.
        const key = `${verdict.route}\u0000${finding.message}`;
        if (seen.has(key)) continue;
        const issue = issueAt(source, findingPath(call.index, finding.part, source), finding.message);
        seen.set(key, issue);
        findings.push(issue);
      }
    }
  }
  findings.push(...responseReadIssues({ connector, index, pathPrefix: openapi.pathPrefix }));
  findings.push(...outcomeStatusIssues(connector, index, openapi.pathPrefix, context.commonStatuses));
  const warnings: string[] = [];
  for (const entry of openapi.undocumented.filter((candidate) => !candidate.query && !candidate.body)) {
    const called = routes.get(`${entry.method} ${openapi.pathPrefix}${entry.path}`)?.status === 'allow-listed';
    if (index.find(entry.method, `${openapi.pathPrefix}${entry.path.replace(/\{[^}]+\}/g, 'x')}`)) {
      findings.push({
        file: connector.file,
        path: 'openapi.undocumented',
        message: `${entry.method} ${entry.path} is in the document: remove it from openapi.undocumented`,
      });
    } else if (!called) {
      warnings.push(`openapi.undocumented lists ${entry.method} ${entry.path}, which no fixture calls`);
    }
  }
  return {
    document: doc.file,
    findings,
    warnings,
    routes: [...routes.values()].sort((a, b) => a.route.localeCompare(b.route)),
  };
}
