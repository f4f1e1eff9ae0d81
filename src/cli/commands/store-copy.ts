/**
 * Copies every mapping from one store to another (embedded → Redis to grow a single instance into
 * several replicas, or back), keeping SCIM ids, keys, last-written values and flags, so Entra sees no
 * change and nothing is re-provisioned. Records already present identically are skipped; conflicting
 * ones are reported and left alone.
 */
import { join, resolve } from 'node:path';
import type { IdMap } from '../../core/id-map.ts';
import { SqliteIdMap } from '../../store/embedded/sqlite-id-map.ts';
import { createRedisClient, whenReady } from '../../store/redis/connection.ts';
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { Progress } from '../progress.ts';
import { RedisIdMap } from '../../store/redis/redis-id-map.ts';

export interface CopyReport {
  copied: number;
  skipped: number;
  conflicts: { app: string; kind: string; scimId: string; reason: string }[];
}

/** "embedded:<dataDir>" or a redis:// / rediss:// URL. */
export async function openStoreSpec(spec: string, prefix = 'scimgw', cwd = process.cwd()): Promise<IdMap> {
  if (spec.startsWith('embedded:'))
    return new SqliteIdMap(join(resolve(cwd, spec.slice('embedded:'.length) || './data'), 'scimgw.sqlite'));
  if (/^rediss?:\/\//.test(spec)) {
    const client = createRedisClient({ url: spec, tls: spec.startsWith('rediss:') });
    if (!(await whenReady(client, 5000))) {
      client.disconnect();
      throw new Error(`Redis at ${new URL(spec).host} did not answer within 5 s`);
    }
    return new RedisIdMap(client, { prefix });
  }
  throw new Error(`"${spec}" is not a store: use embedded:<data dir> or redis://host:port`);
}

export async function copyStore(
  from: IdMap,
  to: IdMap,
  options: { dryRun?: boolean; onProgress?: (records: number) => void } = {},
): Promise<CopyReport> {
  const report: CopyReport = { copied: 0, skipped: 0, conflicts: [] };
  let seen = 0;
  for await (const record of from.dump()) {
    options.onProgress?.(++seen);
    const existing = await to.get(record.app, record.kind, record.scimId);
    if (existing) {
      if (JSON.stringify(existing) === JSON.stringify(record)) report.skipped++;
      else
        report.conflicts.push({
          app: record.app,
          kind: record.kind,
          scimId: record.scimId,
          reason: 'the target has a different record with this SCIM id',
        });
      continue;
    }
    if (options.dryRun) {
      report.copied++;
      continue;
    }
    const { deprovisioned, ...live } = record;
    const result = await to.reserve(live);
    // A new record is never deprovisioned; the flag is a change like any other.
    if (result.ok && deprovisioned) await to.update(record.app, record.kind, record.scimId, { deprovisioned });
    if (result.ok) report.copied++;
    else
      report.conflicts.push({
        app: record.app,
        kind: record.kind,
        scimId: record.scimId,
        reason: `its key or app id belongs to ${result.existing.scimId} in the target`,
      });
  }
  return report;
}

export function register(program: Command, io: CliIo): void {
  const store = program.command('store').description('Work with the id map store');
  store
    .command('copy')
    .description(
      'Copy every mapping from one store to another, keeping SCIM ids (embedded → Redis to add replicas, or back)',
    )
    .requiredOption('--from <store>', 'source: embedded:<data dir> or redis://host:port')
    .requiredOption('--to <store>', 'target: embedded:<data dir> or redis://host:port')
    .option('--prefix <prefix>', 'Redis key prefix', 'scimgw')
    .option('--dry-run', 'count what would be copied, write nothing')
    .action(async (options: { from: string; to: string; prefix: string; dryRun?: boolean }) => {
      const from = await openStoreSpec(options.from, options.prefix, io.cwd);
      const to = await openStoreSpec(options.to, options.prefix, io.cwd);
      try {
        const progress = new Progress(io, { label: 'records read' });
        const report = await copyStore(from, to, {
          dryRun: options.dryRun ?? false,
          onProgress: (records) => progress.update(records),
        });
        progress.end();
        io.out(
          `${options.dryRun ? 'would copy' : 'copied'} ${report.copied} records, skipped ${report.skipped} already present, ${report.conflicts.length} conflicts\n`,
        );
        for (const conflict of report.conflicts)
          io.out(`  conflict: ${conflict.app} ${conflict.kind} ${conflict.scimId}: ${conflict.reason}\n`);
        io.exitCode = report.conflicts.length ? 1 : 0;
      } finally {
        await from.close();
        await to.close();
      }
    });
}
