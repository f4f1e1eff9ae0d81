/**
 * An IdMap decorator that times every store call (scimgw_store_duration_seconds{operation}) and tells
 * the audit trail which app id each SCIM id maps to, so the audit event names both without the
 * handlers having to carry them. Operation names are the method names: never a user identifier.
 */
import type {
  AdoptCandidate,
  IdMap,
  MappingRecord,
  NewRecord,
  RecordChanges,
  ReserveResult,
  ResourceKind,
} from '../core/id-map.ts';
import { noteRecord } from './audit.ts';
import { labelledChildren } from './metric-children.ts';
import type { Metrics } from './metrics.ts';

export class TimedIdMap implements IdMap {
  readonly #inner: IdMap;
  /** One labelled series per operation, made once: startTimer builds closures and label objects per call. */
  readonly #series: (labels: { operation: string }) => { observe(value: number): void };

  constructor(inner: IdMap, histogram: Metrics['storeDuration']) {
    this.#inner = inner;
    this.#series = labelledChildren(histogram);
  }

  async #timed<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const child = this.#series({ operation });
    const started = performance.now();
    try {
      return await work();
    } finally {
      child.observe((performance.now() - started) / 1000);
    }
  }

  async get(app: string, kind: ResourceKind, scimId: string): Promise<MappingRecord | undefined> {
    return noteRecord(await this.#timed('get', () => this.#inner.get(app, kind, scimId)));
  }

  getByAppIds(app: string, kind: ResourceKind, appIds: readonly string[]): Promise<Map<string, MappingRecord>> {
    return this.#timed('getByAppIds', () => this.#inner.getByAppIds(app, kind, appIds));
  }

  async findByKey(app: string, kind: ResourceKind, key: string): Promise<MappingRecord | undefined> {
    return noteRecord(await this.#timed('findByKey', () => this.#inner.findByKey(app, kind, key)));
  }

  findByExternalId(app: string, kind: ResourceKind, externalId: string): Promise<MappingRecord[]> {
    return this.#timed('findByExternalId', () => this.#inner.findByExternalId(app, kind, externalId));
  }

  async reserve(record: NewRecord): Promise<ReserveResult> {
    const result = await this.#timed('reserve', () => this.#inner.reserve(record));
    if (result.ok) noteRecord(result.record);
    return result;
  }

  async update(
    app: string,
    kind: ResourceKind,
    scimId: string,
    changes: RecordChanges,
  ): Promise<MappingRecord | undefined> {
    return noteRecord(await this.#timed('update', () => this.#inner.update(app, kind, scimId, changes)));
  }

  updateIf(
    app: string,
    kind: ResourceKind,
    scimId: string,
    expected: Pick<MappingRecord, 'shadow' | 'appHash'>,
    changes: RecordChanges,
  ): Promise<boolean> {
    return this.#timed('updateIf', () => this.#inner.updateIf(app, kind, scimId, expected, changes));
  }

  async adopt(app: string, kind: ResourceKind, candidates: readonly AdoptCandidate[]): Promise<MappingRecord[]> {
    const records = await this.#timed('adopt', () => this.#inner.adopt(app, kind, candidates));
    for (const record of records) noteRecord(record);
    return records;
  }

  delete(app: string, kind: ResourceKind, scimId: string): Promise<boolean> {
    return this.#timed('delete', () => this.#inner.delete(app, kind, scimId));
  }

  count(app: string, kind: ResourceKind): Promise<number> {
    return this.#timed('count', () => this.#inner.count(app, kind));
  }

  dump(): AsyncIterable<MappingRecord> {
    return this.#inner.dump();
  }

  ping(): Promise<void> {
    return this.#timed('ping', () => this.#inner.ping());
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
