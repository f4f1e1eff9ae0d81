/**
 * scimgw drift <app>: what differs between the app and what Entra provisioned: app accounts Entra does not
 * manage, mappings whose object is gone, and attributes changed in the app since Entra wrote them. Lists the
 * app first (a fresh snapshot), then compares. Values are printed to the admin who asks, never logged.
 * Exit 1 when there is drift, so it can run on a schedule.
 */
import type { Command } from 'commander';
import type { DriftReport } from '../../core/drift.ts';
import { hasDrift } from '../../core/drift.ts';
import type { ResourceKind } from '../../core/id-map.ts';
import { ConfigError, formatIssues } from '../../errors.ts';
import type { CliIo } from '../io.ts';
import { Progress } from '../progress.ts';
import { openKeeper, refreshOne, selectedKinds } from './snapshot.ts';

interface DriftOptions {
  config?: string;
  resource?: string;
  json?: boolean;
  /** commander's negation of --no-refresh */
  refresh?: boolean;
}

async function run(appId: string, options: DriftOptions, io: CliIo): Promise<number> {
  const opened = await openKeeper(io, 'drift', appId, options.config, { addSnapshot: true });
  if (typeof opened === 'number') return opened;
  try {
    const kinds = selectedKinds(io, 'drift', opened.keeper, options.resource);
    if (!kinds) return 2;
    const reports: DriftReport[] = [];
    for (const kind of kinds) {
      const current = (await opened.keeper.status()).kinds.find((entry) => entry.kind === kind)?.current;
      if (options.refresh !== false || !current) await refreshOne(io, opened.keeper, kind, 'err');
      const progress = new Progress(io, { label: `${kind}s checked`, ...(current ? { total: current.objects } : {}) });
      const report = await opened.app.provisioning.drift(kind, { onProgress: (n) => progress.update(n) });
      progress.end();
      if (report) reports.push(report);
    }
    if (options.json) io.out(`${JSON.stringify({ app: appId, reports }, null, 2)}\n`);
    else for (const report of reports) io.out(describe(report, Date.now()));
    return reports.some(hasDrift) ? 1 : 0;
  } finally {
    await opened.gateway.close();
  }
}

const KEY: Record<ResourceKind, string> = { User: 'userName', Group: 'displayName' };

function describe(report: DriftReport, now: number): string {
  const kind = `${report.kind}s`;
  const age = Math.round((now - report.snapshot.startedAt) / 1000);
  const head = `${kind} (${report.snapshot.objects.toLocaleString('en')} in the app, listed ${age} s ago)`;
  if (!hasDrift(report)) return `${head}: no drift\n`;
  const lines = [`${head}:`];
  const more = (shown: number, total: number) => (total > shown ? [`    … and ${total - shown} more (--json)`] : []);
  if (report.counts.orphans) {
    lines.push(
      `  ${report.counts.orphans} in the app but not provisioned by Entra (Entra would match on ${KEY[report.kind]}):`,
    );
    for (const orphan of report.orphans)
      lines.push(
        `    app id ${orphan.appId}  ${KEY[report.kind]} ${orphan.key ?? '-'}  externalId ${orphan.externalId ?? '-'}${report.kind === 'User' ? `  e-mail ${orphan.email ?? '-'}` : ''}`,
      );
    lines.push(...more(report.orphans.length, report.counts.orphans));
  }
  if (report.counts.vanished) {
    lines.push(`  ${report.counts.vanished} provisioned by Entra but gone from the app:`);
    for (const gone of report.vanished)
      lines.push(`    SCIM id ${gone.scimId}  app id ${gone.appId}  ${KEY[report.kind]} ${gone.key ?? '-'}`);
    lines.push(...more(report.vanished.length, report.counts.vanished));
  }
  if (report.counts.changed) {
    const perAttribute = Object.entries(report.changedAttributes)
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    lines.push(`  ${report.counts.changed} changed in the app since Entra wrote them (${perAttribute}):`);
    for (const changed of report.changed)
      for (const attribute of changed.attributes)
        lines.push(
          `    SCIM id ${changed.scimId}  ${attribute.name}: Entra ${JSON.stringify(attribute.entra ?? null)} → app ${JSON.stringify(attribute.app ?? null)}`,
        );
    lines.push(...more(report.changed.length, report.counts.changed));
  }
  return `${lines.join('\n')}\n`;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('drift')
    .description(
      'Compare the app with what Entra provisioned: accounts Entra does not manage, mapped objects gone from the app, attributes changed in the app',
    )
    .argument('<app>', 'the app id')
    .option('--config <file>', 'gateway.yaml (default: SCIMGW_CONFIG)')
    .option('--resource <kind>', 'only User or only Group')
    .option('--json', 'print the report as JSON')
    .option('--no-refresh', "use the app's current snapshot instead of listing the app first")
    .addHelpText(
      'after',
      '\nExit status: 0 without drift, 1 with drift or when a listing failed, 2 when the config is unusable.\n' +
        'The report holds attribute values: it is for the admin who runs it, not for logs.\n',
    )
    .action(async (appId: string, options: DriftOptions) => {
      try {
        io.exitCode = await run(appId, options, io);
      } catch (error) {
        if (error instanceof ConfigError) {
          io.err(`scimgw drift: cannot run:\n${formatIssues(error.issues)}\n`);
          io.exitCode = 2;
          return;
        }
        io.err(`scimgw drift: ${(error as Error).message}\n`);
        io.exitCode = 1;
      }
    });
}
