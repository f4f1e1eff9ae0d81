#!/usr/bin/env node
/** scimgw: the gateway's command line. `scimgw store copy` moves the id map between stores. */
import { Command } from 'commander';
import { copyStore, openStoreSpec } from './store-copy.ts';

const program = new Command('scimgw').description('SCIM gateway tools').showHelpAfterError();

const store = program.command('store').description('Work with the id map store');
store
  .command('copy')
  .description('Copy every mapping from one store to another, keeping SCIM ids (embedded → Redis to add replicas, or back)')
  .requiredOption('--from <store>', 'source: embedded:<data dir> or redis://host:port')
  .requiredOption('--to <store>', 'target: embedded:<data dir> or redis://host:port')
  .option('--prefix <prefix>', 'Redis key prefix', 'scimgw')
  .option('--dry-run', 'count what would be copied, write nothing')
  .action(async (options: { from: string; to: string; prefix: string; dryRun?: boolean }) => {
    const from = await openStoreSpec(options.from, options.prefix);
    const to = await openStoreSpec(options.to, options.prefix);
    try {
      const report = await copyStore(from, to, { dryRun: options.dryRun ?? false });
      process.stdout.write(`${options.dryRun ? 'would copy' : 'copied'} ${report.copied} records, skipped ${report.skipped} already present, ${report.conflicts.length} conflicts\n`);
      for (const conflict of report.conflicts) process.stdout.write(`  conflict: ${conflict.app} ${conflict.kind} ${conflict.scimId}: ${conflict.reason}\n`);
      process.exitCode = report.conflicts.length ? 1 : 0;
    } finally {
      await from.close();
      await to.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`scimgw: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
