/**
 * SCIM semantics for one app: create, get, query, replace, patch and delete of Users and Groups, on top
 * of a connector (app calls) and the IdMap (ids, keys, last-written values). The operations live in
 * create.ts, query.ts and write.ts; this class holds what they share.
 *
 * Invariants:
 * - The gateway owns SCIM ids; an app object gets one the first time the gateway sees it.
 * - Nothing is written to the IdMap for a request that fails validation.
 */
import { randomUUID } from 'node:crypto';
import { appResourceTypes, type AppResourceTypes } from '../scim/schema/extensions.ts';
import type { AppConnector, CallContext } from './app-connector.ts';
import type { AppSnapshots } from './app-snapshot.ts';
import { appObject, DEFAULT_LIFECYCLE, mappedRecord, supports, type CoreContext, type Lifecycle } from './context.ts';
import { driftReport, type DriftOptions, type DriftReport } from './drift.ts';
import { refreshSnapshot, type RefreshOptions, type RefreshOutcome } from './snapshot-refresh.ts';
import { snapshotFresh } from './snapshot-reads.ts';
import { quietEvents, type ProvisioningEvents } from './events.ts';
import { LocalMemberProgress, type MemberProgress } from './member-progress.ts';
import { confirmCreate, createResource, type CreatedView } from './create.ts';
import type { IdMap, LockManager, ResourceKind } from './id-map.ts';
import { queryResources, type QueryInput, type QueryResult } from './query.ts';
import { Views, type ResourceView } from './views.ts';
import { deleteResource, patchResource, replaceResource } from './write.ts';

export type { QueryInput, QueryResult } from './query.ts';
export { etagMatches, versionOf } from './write.ts';

export interface ProvisioningOptions {
  app: string;
  connector: AppConnector;
  idMap: IdMap;
  locks: LockManager;
  /** The app's resource types, with the extensions its connector and config declare (default: core + enterprise). */
  resourceTypes?: AppResourceTypes;
  /** Where group writes record member changes applied before they finished (default: this process only). */
  memberProgress?: MemberProgress;
  events?: ProvisioningEvents;
  /** What DELETE does and whether existing app accounts are adopted (default: delete, adopt). */
  lifecycle?: Lifecycle;
  /** The app snapshot and how old it may be to answer reads (none: every read asks the app). */
  snapshots?: { store: AppSnapshots; maxAgeMs: number };
  now?: () => Date;
  newId?: () => string;
}

export class Provisioning {
  readonly app: string;
  readonly views: Views;
  readonly #core: CoreContext;

  constructor(options: ProvisioningOptions) {
    this.app = options.app;
    const resourceTypes = options.resourceTypes ?? appResourceTypes();
    this.views = new Views(options.app, options.connector, options.idMap, resourceTypes);
    this.#core = {
      app: options.app,
      resourceTypes,
      connector: options.connector,
      idMap: options.idMap,
      locks: options.locks,
      memberProgress: options.memberProgress ?? new LocalMemberProgress(),
      events: options.events ?? quietEvents,
      views: this.views,
      lifecycle: options.lifecycle ?? DEFAULT_LIFECYCLE,
      ...(options.snapshots ? { snapshots: options.snapshots } : {}),
      now: options.now ?? (() => new Date()),
      newId: options.newId ?? randomUUID,
    };
  }

  create(kind: ResourceKind, body: unknown, context: CallContext): Promise<CreatedView> {
    return createResource(this.#core, kind, body, context);
  }

  /** Called once the answer to a create has gone out or was lost: see MappingRecord.committed. */
  confirmCreate(kind: ResourceKind, view: CreatedView, delivered: boolean): Promise<void> {
    return confirmCreate(this.#core, kind, view, delivered);
  }

  async get(
    kind: ResourceKind,
    scimId: string,
    context: CallContext,
    options: { members?: boolean } = {},
  ): Promise<ResourceView> {
    supports(this.#core, kind);
    const record = await mappedRecord(this.#core, kind, scimId, context);
    const object = await appObject(this.#core, kind, record, context, await snapshotFresh(this.#core, kind));
    return this.views.compose(kind, record, object, context, { members: options.members ?? true });
  }

  /** Orphans, vanished objects and attributes changed in the app, from the current snapshot (drift.ts). */
  drift(kind: ResourceKind, options: DriftOptions = {}): Promise<DriftReport | undefined> {
    return driftReport(this.#core, kind, options);
  }

  /** Lists the app into a new snapshot generation unless one started less than `minAgeMs` ago (see snapshot-refresh.ts). */
  refreshSnapshot(kind: ResourceKind, options: RefreshOptions): Promise<RefreshOutcome> {
    return refreshSnapshot(this.#core, kind, options);
  }

  query(kind: ResourceKind, input: QueryInput, context: CallContext): Promise<QueryResult> {
    return queryResources(this.#core, kind, input, context);
  }

  patch(
    kind: ResourceKind,
    scimId: string,
    body: unknown,
    context: CallContext,
    options: { ifMatch?: string } = {},
  ): Promise<ResourceView> {
    return patchResource(this.#core, kind, scimId, body, context, options);
  }

  replace(
    kind: ResourceKind,
    scimId: string,
    body: unknown,
    context: CallContext,
    options: { ifMatch?: string } = {},
  ): Promise<ResourceView> {
    return replaceResource(this.#core, kind, scimId, body, context, options);
  }

  delete(kind: ResourceKind, scimId: string, context: CallContext, options: { ifMatch?: string } = {}): Promise<void> {
    return deleteResource(this.#core, kind, scimId, context, options);
  }
}
