/**
 * `scimgw connector check-spec <dir>`: every outbound call of every fixture, and every field the mappings
 * read from answers, held against the vendor's OpenAPI document (connector.yaml's openapi block). Prints
 * each finding as file:line:col and exits 1 when there is any; `--routes` also lists each route called with
 * its verdict.
 */
import { relative } from 'node:path';
import { ConfigError, formatIssue } from '../../../errors.ts';
import { checkSpec } from '../../../connectors/openapi/check-spec.ts';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Paths as the author typed them: relative to the working folder. */
function shorten(file: string): string {
  if (/^https?:\/\//.test(file)) return file;
  const short = relative(process.cwd(), file);
  return short.startsWith('..') ? file : short;
}

export async function checkSpecCommand(dir: string, options: { routes?: boolean; document?: string }): Promise<void> {
  let report;
  try {
    report = await checkSpec(dir, options.document ? { document: options.document } : {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) process.stderr.write(`${formatIssue({ ...issue, file: shorten(issue.file) })}\n`);
    process.exitCode = 1;
    return;
  }
  if (options.routes) {
    for (const route of report.routes) out(`${route.status.padEnd(12)} ${route.route} (${route.calls} call${route.calls === 1 ? '' : 's'})`);
  }
  for (const warning of report.warnings) out(`warning: ${warning}`);
  for (const finding of report.findings) process.stderr.write(`${formatIssue({ ...finding, file: shorten(finding.file) })}\n`);
  const checked = report.routes.filter((route) => route.status !== 'outside').length;
  if (report.findings.length) {
    process.stderr.write(`${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} against ${shorten(report.document)}\n`);
    process.exitCode = 1;
  } else {
    out(`ok: ${checked} route${checked === 1 ? '' : 's'} agree with ${shorten(report.document)}`);
  }
}
