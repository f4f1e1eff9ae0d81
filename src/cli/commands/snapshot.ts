/**
 * scimgw snapshot <app>: lists the app into a new snapshot now, with progress, and prints its size and
 * cost. Uses the gateway's config and store, so a running gateway (any replica) reads what it made.
 */
import type { Command } from 'commander';
import { loadGatewayConfig } from '../../config/load.ts';
import type { AppSnapshotKeeper } from '../../app-snapshots.ts';
import type { ResourceKind } from '../../core/id-map.ts';
import { ConfigError, formatIssues } from '../../errors.ts';
import type { GatewayApp } from '../../app.ts';
import { createGateway, type Gateway } from '../../gateway.ts';
import { silentLogger } from '../../observability/logger.ts';
import { pathFrom, type CliIo } from '../io.ts';
import { Progress } from '../progress.ts';

interface SnapshotOptions {
  config?: string;
  resource?: string;
}

/** The gateway of a config, without schedules, and one app's snapshot keeper; or an exit status and why. */
export async function openKeeper(
  io: CliIo,
  command: string,
  appId: string,
  configOption: string | undefined,
  options: { addSnapshot?: boolean } = {},
): Promise<{ gateway: Gateway; keeper: AppSnapshotKeeper; app: GatewayApp } | number> {
  const given = configOption ?? io.env.SCIMGW_CONFIG;
  if (!given) {
    io.err(`scimgw ${command}: give --config <gateway.yaml> (or set SCIMGW_CONFIG)\n`);
    return 2;
  }
  const file = pathFrom(io, given);
  const config = loadGatewayConfig(file);
  const entry = config.apps.find((candidate) => candidate.id === appId);
  if (!entry) {
    io.err(`scimgw ${command}: ${file} has no app "${appId}" (apps: ${config.apps.map((a) => a.id).join(', ')})\n`);
    return 2;
  }
  // A listing made only for this command: the running gateway does not read it unless it has a snapshot.
  if (options.addSnapshot && !entry.snapshot) entry.snapshot = { every: '24h' };
  const gateway = await createGateway({
    config,
    configFile: file,
    env: io.env,
    logger: silentLogger(),
    snapshotSchedules: false,
  });
  const app = gateway.apps.get(appId)!;
  if (!app.snapshots) {
    await gateway.close();
    io.err(`scimgw ${command}: the app "${appId}" has no snapshot; add snapshot: { every: 1h } to its entry\n`);
    return 2;
  }
  return { gateway, keeper: app.snapshots, app };
}

/** The kinds a --resource option selects, or undefined (after saying why) when it names none. */
export function selectedKinds(
  io: CliIo,
  command: string,
  keeper: AppSnapshotKeeper,
  resource: string | undefined,
): ResourceKind[] | undefined {
  const kinds = keeper.kinds.filter((kind) => resource === undefined || kind === resource);
  if (!kinds.length) io.err(`scimgw ${command}: --resource must be one of ${keeper.kinds.join(', ')}\n`);
  return kinds.length ? kinds : undefined;
}

async function run(appId: string, options: SnapshotOptions, io: CliIo): Promise<number> {
  const opened = await openKeeper(io, 'snapshot', appId, options.config);
  if (typeof opened === 'number') return opened;
  try {
    const kinds = selectedKinds(io, 'snapshot', opened.keeper, options.resource);
    if (!kinds) return 2;
    for (const kind of kinds) await refreshOne(io, opened.keeper, kind);
    return 0;
  } finally {
    await opened.gateway.close();
  }
}

/** Lists one kind now with progress; the one-line summary goes to `summaryTo` (stderr when stdout is a report). */
export async function refreshOne(
  io: CliIo,
  keeper: AppSnapshotKeeper,
  kind: ResourceKind,
  summaryTo: 'out' | 'err' = 'out',
): Promise<void> {
  const previous = (await keeper.status()).kinds.find((entry) => entry.kind === kind)?.current;
  const progress = new Progress(io, {
    label: `${kind}s listed`,
    ...(previous?.objects ? { total: previous.objects } : {}),
  });
  const { state } = await keeper.refreshNow(kind, { onProgress: (objects) => progress.update(objects) });
  progress.end();
  io[summaryTo](
    `${kind}s: ${state.objects.toLocaleString('en')} objects in ${(state.ms / 1000).toFixed(1)} s with ${state.appCalls} app calls\n`,
  );
}

export function register(program: Command, io: CliIo): void {
  program
    .command('snapshot')
    .description("List an app's users and groups into a new snapshot now (see apps[].snapshot in gateway.yaml)")
    .argument('<app>', 'the app id')
    .option('--config <file>', 'gateway.yaml (default: SCIMGW_CONFIG)')
    .option('--resource <kind>', 'only User or only Group')
    .addHelpText(
      'after',
      '\nExit status: 0 when every listing completed, 1 when one failed, 2 when the config is unusable.\n',
    )
    .action(async (appId: string, options: SnapshotOptions) => {
      try {
        io.exitCode = await run(appId, options, io);
      } catch (error) {
        if (error instanceof ConfigError) {
          io.err(`scimgw snapshot: cannot run:\n${formatIssues(error.issues)}\n`);
          io.exitCode = 2;
          return;
        }
        io.err(`scimgw snapshot: the listing failed: ${(error as Error).message}\n`);
        io.exitCode = 1;
      }
    });
}
