/**
 * `scimgw connector check-spec <dir>`: every outbound call of every fixture, and every field the mappings
 * read from answers, held against the vendor's OpenAPI document (connector.yaml's openapi block). Prints
 * each finding as file:line:col and exits 1 when there is any; `--routes` also lists each route called with
 * its verdict.
 */
import { ConfigError, formatIssue } from '../../../errors.ts';
import { checkSpec } from '../../../connectors/openapi/check-spec.ts';
import { pathFrom, referenceFrom, shown, type CliIo } from '../../io.ts';

export async function checkSpecCommand(
  io: CliIo,
  dir: string,
  options: { routes?: boolean; document?: string },
): Promise<void> {
  const out = (line: string) => io.out(`${line}\n`);
  const shorten = (file: string) => shown(io, file);
  let report;
  try {
    report = await checkSpec(
      pathFrom(io, dir),
      options.document ? { document: referenceFrom(io, options.document) } : {},
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) io.err(`${formatIssue({ ...issue, file: shorten(issue.file) })}\n`);
    io.exitCode = 1;
    return;
  }
  if (options.routes) {
    for (const route of report.routes)
      out(`${route.status.padEnd(12)} ${route.route} (${route.calls} call${route.calls === 1 ? '' : 's'})`);
  }
  for (const warning of report.warnings) out(`warning: ${warning}`);
  for (const finding of report.findings) io.err(`${formatIssue({ ...finding, file: shorten(finding.file) })}\n`);
  const checked = report.routes.filter((route) => route.status !== 'outside').length;
  if (report.findings.length) {
    io.err(
      `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} against ${shorten(report.document)}\n`,
    );
    io.exitCode = 1;
  } else {
    out(`ok: ${checked} route${checked === 1 ? '' : 's'} agree with ${shorten(report.document)}`);
  }
}
