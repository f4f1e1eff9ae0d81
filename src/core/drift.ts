/**
 * Drift between the app and what Entra provisioned, read from the app snapshot and the id map:
 * - orphans: app accounts the gateway never mapped (local admins, accounts from before Entra), each with the
 *   attribute Entra would match it on;
 * - vanished: mappings whose app object is gone from the app (deleted there behind Entra's back);
 * - changed: mapped objects the app changed since Entra last wrote them, per attribute.
 * Streams the snapshot in batches; keeps full counts and at most `sampleLimit` examples of each kind.
 */
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppObject } from './app-connector.ts';
import type { SnapshotEntry, SnapshotState } from './app-snapshot.ts';
import { KEY_NAME, type CoreContext } from './context.ts';
import type { MappingRecord, ResourceKind } from './id-map.ts';
import { hashOf, stableStringify } from './read-back.ts';
import { objectOf } from './snapshot-reads.ts';

export interface Orphan {
  appId: string;
  /** userName (users) or displayName (groups): what Entra's match query would find it by. */
  key: string | null;
  externalId: string | null;
  email: string | null;
}

export interface Vanished {
  scimId: string;
  appId: string;
  key: string | null;
}

export interface ChangedAttribute {
  name: string;
  /** What Entra last wrote, and what the app holds now (shown only to an admin who asks, never logged). */
  entra: unknown;
  app: unknown;
}

export interface Changed {
  scimId: string;
  appId: string;
  attributes: ChangedAttribute[];
}

export interface DriftReport {
  kind: ResourceKind;
  snapshot: Pick<SnapshotState, 'startedAt' | 'objects'>;
  counts: { orphans: number; vanished: number; changed: number };
  /** Objects changed per attribute name. */
  changedAttributes: Record<string, number>;
  orphans: Orphan[];
  vanished: Vanished[];
  changed: Changed[];
}

export interface DriftOptions {
  sampleLimit?: number;
  /** Called with the snapshot entries checked so far. */
  onProgress?: (checked: number) => void;
}

export async function driftReport(
  core: CoreContext,
  kind: ResourceKind,
  options: DriftOptions = {},
): Promise<DriftReport | undefined> {
  const snapshots = core.snapshots;
  const state = snapshots ? await snapshots.store.state(core.app, kind) : undefined;
  if (!snapshots || !state) return undefined;
  const limit = options.sampleLimit ?? 1000;
  const report: DriftReport = {
    kind,
    snapshot: { startedAt: state.startedAt, objects: state.objects },
    counts: { orphans: 0, vanished: 0, changed: 0 },
    changedAttributes: {},
    orphans: [],
    vanished: [],
    changed: [],
  };
  const seen = new Set<string>();
  let checked = 0;
  for await (const batch of snapshots.store.entries(core.app, kind)) {
    const records = await core.idMap.getByAppIds(
      core.app,
      kind,
      batch.map((entry) => entry.appId),
    );
    for (const entry of batch) {
      seen.add(entry.appId);
      const record = records.get(entry.appId);
      if (!record) {
        if (report.counts.orphans++ < limit) report.orphans.push(orphanOf(kind, entry));
        continue;
      }
      const attributes = await changedAttributes(core, kind, record, objectOf(entry));
      if (!attributes.length) continue;
      report.counts.changed++;
      for (const attribute of attributes)
        report.changedAttributes[attribute.name] = (report.changedAttributes[attribute.name] ?? 0) + 1;
      if (report.changed.length < limit) report.changed.push({ scimId: record.scimId, appId: entry.appId, attributes });
    }
    checked += batch.length;
    options.onProgress?.(checked);
  }
  await findVanished(core, kind, state, seen, report, limit);
  return report;
}

export function hasDrift(report: DriftReport): boolean {
  return report.counts.orphans + report.counts.vanished + report.counts.changed > 0;
}

function orphanOf(kind: ResourceKind, entry: SnapshotEntry): Orphan {
  const key = entry.scim?.[KEY_NAME[kind]];
  return {
    appId: entry.appId,
    key: typeof key === 'string' ? key : null,
    externalId: entry.externalId,
    email: entry.email,
  };
}

/**
 * The attributes the app changed since Entra last wrote: only when the app's form no longer hashes to what
 * it was when the shadow last agreed with it, and only attributes the app holds.
 */
async function changedAttributes(
  core: CoreContext,
  kind: ResourceKind,
  record: MappingRecord,
  object: AppObject,
): Promise<ChangedAttribute[]> {
  if (!record.shadow || record.appHash === null || !record.committed) return [];
  const { client } = await core.views.forms(kind, object);
  if (hashOf(client) === record.appHash) return [];
  const out: ChangedAttribute[] = [];
  for (const name of core.views.mapped(kind)) {
    if (name === 'members') continue;
    const entra = valueAt(record.shadow, name);
    const app = valueAt(client, name);
    if (stableStringify(entra ?? null) !== stableStringify(app ?? null)) out.push({ name, entra, app });
  }
  return out;
}

/** A top-level attribute, or an extension's ("urn:…:User:employeeNumber"). */
function valueAt(resource: ScimResource, name: string): unknown {
  const extension = /^(urn:.+):([^:]+)$/i.exec(name);
  if (!extension) return resource[name];
  const holder = resource[extension[1]!];
  return holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[extension[2]!] : undefined;
}

/**
 * Mappings whose app object the listing did not see. Records made after the listing started, pending
 * creates and objects whose snapshot entry is unknown (changed by a call that did not answer with them) are
 * not evidence of anything and are skipped.
 */
async function findVanished(
  core: CoreContext,
  kind: ResourceKind,
  state: SnapshotState,
  seen: ReadonlySet<string>,
  report: DriftReport,
  limit: number,
): Promise<void> {
  for await (const record of core.idMap.dump()) {
    if (record.app !== core.app || record.kind !== kind || !record.appId || seen.has(record.appId)) continue;
    if (Date.parse(record.created) >= state.startedAt) continue;
    if (await core.snapshots!.store.get(core.app, kind, record.appId)) continue;
    if (report.counts.vanished++ < limit)
      report.vanished.push({ scimId: record.scimId, appId: record.appId, key: record.key });
  }
}
