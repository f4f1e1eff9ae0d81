/**
 * What core/ needs from a connector runtime. `connectors/runtime.ts` implements it; core never imports
 * the runtime itself, so the provisioning rules are tested with any implementation.
 */
import type { ScimResource } from '../scim/schema/types.ts';
import type { ResourceKind } from './id-map.ts';

export interface CallContext {
  deadline: number;
  signal?: AbortSignal;
  requestId?: string;
}

export interface AppObject {
  appId: string;
  raw: unknown;
  scim: ScimResource;
}

export interface PushdownFilter {
  attribute: string;
  op: 'eq' | 'co' | 'sw' | 'ew';
  value: string;
}

export interface ListOptions {
  filter?: PushdownFilter;
  startOffset?: number;
  /** Only objects changed since this ISO 8601 date-time (needs canListChanges). */
  changedSince?: string;
}

export interface ListPage {
  objects: AppObject[];
  total?: number;
  offset: number;
  /** The app has more pages after this one (absent: unknown, treated as more). */
  more?: boolean;
}

export interface AppConnector {
  readonly connector: {
    id: string;
    resources: Partial<
      Record<
        ResourceKind,
        {
          attributes: string[];
          list: { maxScan: number; filters: { exact: boolean }[] };
          create?: { onConflict: 'fail' | 'adopt' };
        }
      >
    >;
  };
  supports(kind: ResourceKind): boolean;
  /** SCIM attributes the app holds: the connector's mapped attributes and the app's custom fields. */
  mappedAttributes(kind: ResourceKind): readonly string[];
  pushdown(kind: ResourceKind, attribute: string, op: string): { exact: boolean } | undefined;
  create(
    kind: ResourceKind,
    scim: ScimResource,
    scimId: string,
    context: CallContext,
  ): Promise<{ created: AppObject } | { conflict: true }>;
  get(kind: ResourceKind, appId: string, context: CallContext): Promise<AppObject | undefined>;
  list(kind: ResourceKind, context: CallContext, options?: ListOptions): AsyncGenerator<ListPage>;
  /** Whether list can return only the objects changed since a time (ListOptions.changedSince). */
  canListChanges(kind: ResourceKind): boolean;
  update(
    kind: ResourceKind,
    appId: string,
    input: { scim: ScimResource; old: ScimResource; changed: string[] },
    context: CallContext,
  ): Promise<AppObject | undefined | 'notFound'>;
  canSetActive(kind: ResourceKind): boolean;
  setActive(kind: ResourceKind, appId: string, active: boolean, context: CallContext): Promise<boolean>;
  delete(kind: ResourceKind, appId: string, context: CallContext): Promise<boolean>;
  hasMembers(): boolean;
  /** Members one changeMembers call may carry (1 unless the connector has a bulk call). */
  memberBatchSize(action: 'add' | 'remove'): number;
  changeMembers(
    action: 'add' | 'remove',
    groupAppId: string,
    memberAppIds: readonly string[],
    context: CallContext,
  ): Promise<void>;
  /** Milliseconds the app's budget needs for `calls` more calls (0 when unpaced). */
  estimateMs(calls: number): number;
  listMembers(groupAppId: string, context: CallContext): Promise<string[] | undefined>;
}
