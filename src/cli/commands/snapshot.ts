/**
 * scimgw snapshot <app>: lists the app into a new snapshot now, with progress, and prints its size and
 * cost. Uses the gateway's config and store, so a running gateway (any replica) reads what it made.
 */
import type { Command } from 'commander';
import { loadGatewayConfig } from '../../config/load.ts';
import type { AppSnapshotKeeper } from '../../app-snapshots.ts';
import type { ResourceKind } from '../../core/id-map.ts';
import { ConfigError, formatIssues } from '../../errors.ts';
import { createGateway } from '../../gateway.ts';
import { silentLogger } from '../../observability/logger.ts';
import { pathFrom, type CliIo } from '../io.ts';
import { Progress } from '../progress.ts';

interface SnapshotOptions {
  config?: string;
  resource?: string;
}

async function run(appId: string, options: SnapshotOptions, io: CliIo): Promise<number> {
  const given = options.config ?? io.env.SCIMGW_CONFIG;
  if (given === undefined) {
    io.err('scimgw snapshot: give --config <gateway.yaml> (or set SCIMGW_CONFIG)\n');
    return 2;
  }
  const file = pathFrom(io, given);
  const gateway = await createGateway({
    config: loadGatewayConfig(file),
    configFile: file,
    env: io.env,
    logger: silentLogger(),
    snapshotSchedules: false,
  });
  try {
    const app = gateway.apps.get(appId);
    if (!app) {
      io.err(`scimgw snapshot: ${file} has no app "${appId}" (apps: ${[...gateway.apps.keys()].join(', ')})\n`);
      return 2;
    }
    const keeper = app.snapshots;
    if (!keeper) {
      io.err(`scimgw snapshot: the app "${appId}" has no snapshot; add snapshot: { every: 1h } to its entry\n`);
      return 2;
    }
    const kinds = keeper.kinds.filter((kind) => options.resource === undefined || kind === options.resource);
    if (!kinds.length) {
      io.err(`scimgw snapshot: --resource must be one of ${keeper.kinds.join(', ')}\n`);
      return 2;
    }
    for (const kind of kinds) await refreshOne(io, keeper, kind);
    return 0;
  } finally {
    await gateway.close();
  }
}

async function refreshOne(io: CliIo, keeper: AppSnapshotKeeper, kind: ResourceKind): Promise<void> {
  const previous = (await keeper.status()).kinds.find((entry) => entry.kind === kind)?.current;
  const progress = new Progress(io, {
    label: `${kind}s listed`,
    ...(previous?.objects ? { total: previous.objects } : {}),
  });
  const { state } = await keeper.refreshNow(kind, { onProgress: (objects) => progress.update(objects) });
  progress.end();
  io.out(
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
