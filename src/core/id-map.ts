/**
 * The IdMap ties the gateway's SCIM ids to each app's own ids, per app and resource kind, and keeps
 * what the gateway must remember about each object: the key Entra matches on (userName / displayName,
 * unique case-insensitively), the externalId, and the last representation the client wrote (the
 * "shadow") so that what Entra wrote is what it reads back.
 *
 * Implementations: `store/embedded` (node:sqlite, the default) and a Redis store; both pass
 * `test/store/id-map-contract.ts`.
 */
import type { ScimResource } from '../scim/schema/types.ts';

export type ResourceKind = 'User' | 'Group';

export interface MappingRecord {
  app: string;
  kind: ResourceKind;
  scimId: string;
  /** Null while a create is in flight (the record only reserves the key). */
  appId: string | null;
  /** userName / displayName as last written; null for an adopted object whose key is held by another. */
  key: string | null;
  externalId: string | null;
  /** The last SCIM representation the client wrote (without id and meta); null when never written. */
  shadow: ScimResource | null;
  /** Hash of the app's representation when the shadow was last known to agree with it. */
  appHash: string | null;
  created: string;
  lastModified: string;
  /**
   * False from the reservation of a create until its 201 has been written to the client. A POST that
   * repeats an uncommitted create (its answer was lost: a crash, a timeout, a store reply lost in an
   * outage) gets that create's SCIM id; a POST that repeats a committed one is a duplicate (409).
   */
  committed: boolean;
  /**
   * Deleted by Entra in an app whose policy is `onDelete: deactivate`: the app account was deactivated and
   * is kept, hidden from reads, so that re-assigning the user reactivates the same account. Absent otherwise.
   */
  deprovisioned?: true;
}

export type NewRecord = Omit<MappingRecord, 'appId'> & { appId?: string | null };

export type ReserveResult = { ok: true; record: MappingRecord } | { ok: false; existing: MappingRecord };

export interface AdoptCandidate {
  appId: string;
  key: string | null;
  externalId: string | null;
  /** The SCIM id to use if the app object is not mapped yet. */
  scimId: string;
  created: string;
}

export type RecordChanges = Partial<
  Pick<MappingRecord, 'appId' | 'key' | 'externalId' | 'shadow' | 'appHash' | 'lastModified' | 'committed'>
> & { deprovisioned?: boolean };

export interface IdMap {
  get(app: string, kind: ResourceKind, scimId: string): Promise<MappingRecord | undefined>;
  /** Records for the given app ids (missing ones are absent from the map). */
  getByAppIds(app: string, kind: ResourceKind, appIds: readonly string[]): Promise<Map<string, MappingRecord>>;
  /** Case-insensitive lookup by userName / displayName. */
  findByKey(app: string, kind: ResourceKind, key: string): Promise<MappingRecord | undefined>;
  /** Case-exact lookup by externalId (RFC 7643: externalId is caseExact and not necessarily unique). */
  findByExternalId(app: string, kind: ResourceKind, externalId: string): Promise<MappingRecord[]>;
  /** Atomically inserts a record unless its key (case-insensitive) or app id is taken. */
  reserve(record: NewRecord): Promise<ReserveResult>;
  /**
   * Changes a record. Throws KeyTakenError when a new key (or app id) belongs to another record.
   * Returns undefined when the record does not exist.
   */
  update(app: string, kind: ResourceKind, scimId: string, changes: RecordChanges): Promise<MappingRecord | undefined>;
  /**
   * Changes a record only if its shadow and appHash are still what the caller read (compare-and-set), so a
   * read that refreshes the shadow cannot overwrite a write that landed in between. Returns whether it did.
   */
  updateIf(
    app: string,
    kind: ResourceKind,
    scimId: string,
    expected: Pick<MappingRecord, 'shadow' | 'appHash'>,
    changes: RecordChanges,
  ): Promise<boolean>;
  /**
   * Maps app objects first seen in a query, race-free: an app id that is already mapped keeps its SCIM id;
   * a pending record holding the same key takes the app id (a create whose answer was lost); a key held
   * by another mapped object is not indexed for the newcomer. Returns one record per candidate, in order.
   */
  adopt(app: string, kind: ResourceKind, candidates: readonly AdoptCandidate[]): Promise<MappingRecord[]>;
  delete(app: string, kind: ResourceKind, scimId: string): Promise<boolean>;
  count(app: string, kind: ResourceKind): Promise<number>;
  /** Every record of every app, for moving a store (scimgw store copy). */
  dump(): AsyncIterable<MappingRecord>;
  /** Resolves when the store can serve requests; throws otherwise (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The key or app id given to IdMap.update belongs to another record. */
export class KeyTakenError extends Error {
  readonly existing: MappingRecord;
  constructor(existing: MappingRecord) {
    super(`The key is held by ${existing.kind} ${existing.scimId}`);
    this.name = 'KeyTakenError';
    this.existing = existing;
  }
}

/** Serialises work per key (per app and userName, say) across everything sharing the lock manager. */
export interface LockManager {
  withLock<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export function normalizeKey(key: string): string {
  return key.normalize('NFC').toLowerCase();
}
