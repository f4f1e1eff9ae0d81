/**
 * Builds what a SCIM client sees from an app object and its IdMap record: the connector's mapping,
 * normalised, references turned into SCIM ids, the client's last-written values laid over it
 * (read-back.ts), and group members from the app.
 */
import type { AppResourceTypes } from '../scim/schema/extensions.ts';
import { isObject, normalizeResource } from '../scim/resource/normalize.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { AppConnector, AppObject, CallContext } from './app-connector.ts';
import type { IdMap, MappingRecord, ResourceKind } from './id-map.ts';
import { hashOf, mappedTopLevel, readBack } from './read-back.ts';
import { referencesFromApp } from './references.ts';
import { memberDisplays } from './group-members.ts';

export interface ResourceView {
  id: string;
  /** Canonical SCIM attributes, without id, meta and schemas. */
  data: ScimResource;
  created: string;
  lastModified: string;
}

export interface AppForms {
  /** As the connector maps it (references hold app ids): what update() compares. */
  connector: ScimResource;
  /** As the client sees it (references hold SCIM ids). */
  client: ScimResource;
}

/**
 * When the app says it created the object, as an ISO timestamp, if it says so readably. Only adoption
 * asks: parsing a date on every read cost more than the rest of forms().
 */
export function appCreated(object: AppObject): string | undefined {
  const meta = object.scim.meta;
  const time = isObject(meta) && typeof meta.created === 'string' ? Date.parse(meta.created) : Number.NaN;
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

export class Views {
  readonly #app: string;
  readonly #connector: AppConnector;
  readonly #idMap: IdMap;
  readonly #resourceTypes: AppResourceTypes;
  readonly #mapped: Partial<Record<ResourceKind, Set<string>>> = {};
  readonly #mappedLower: Partial<Record<ResourceKind, Set<string>>> = {};

  constructor(app: string, connector: AppConnector, idMap: IdMap, resourceTypes: AppResourceTypes) {
    this.#app = app;
    this.#connector = connector;
    this.#idMap = idMap;
    this.#resourceTypes = resourceTypes;
    for (const kind of ['User', 'Group'] as const) {
      if (!connector.supports(kind)) continue;
      this.#mapped[kind] = mappedTopLevel(connector.mappedAttributes(kind));
      this.#mappedLower[kind] = new Set([...this.#mapped[kind]].map((name) => name.toLowerCase()));
    }
  }

  /** mapped(kind) in lower case, for case-insensitive checks of what a client sent. */
  mappedLowerCase(kind: ResourceKind): ReadonlySet<string> {
    return this.#mappedLower[kind] ?? new Set();
  }

  /** Top-level names of what the app holds: the connector's attributes and the app's custom fields. */
  mapped(kind: ResourceKind): ReadonlySet<string> {
    return this.#mapped[kind] ?? new Set();
  }

  async forms(kind: ResourceKind, object: AppObject): Promise<AppForms> {
    const { meta: _meta, ...rest } = object.scim;
    const connector = normalizeResource(
      this.#resourceTypes[kind],
      rest,
      `the ${this.#connector.connector.id} connector's toScim`,
    );
    delete connector.members;
    const client = kind === 'User' ? await referencesFromApp(this.#idMap, this.#app, connector) : connector;
    return { connector, client };
  }

  /**
   * The client's view of a mapped object. When the app changed since the client last wrote, the record's
   * shadow is refreshed to what the client now sees, so its next PATCH is compared with that.
   */
  async compose(
    kind: ResourceKind,
    record: MappingRecord,
    object: AppObject,
    context: CallContext,
    options: { members?: boolean } = {},
  ): Promise<ResourceView> {
    const { client } = await this.forms(kind, object);
    const appHash = hashOf(client);
    const data = readBack({
      app: client,
      shadow: record.shadow,
      appHash: record.appHash,
      mapped: this.#mapped[kind] ?? new Set(),
      appHashNow: appHash,
    });
    if (record.appHash !== appHash && record.shadow) {
      // Compare-and-set: a write that landed since this record was read wins over this refresh.
      await this.#idMap.updateIf(
        this.#app,
        kind,
        record.scimId,
        { shadow: record.shadow, appHash: record.appHash },
        { shadow: { ...data }, appHash },
      );
    }
    if (kind === 'Group') {
      delete data.members;
      if (options.members) {
        const members = await this.members(object.appId, context, record.shadow?.members);
        const fallback = record.shadow?.members;
        const list = members ?? (Array.isArray(fallback) ? fallback : []);
        if (list.length) data.members = list;
      }
    }
    return { id: record.scimId, data, created: record.created, lastModified: record.lastModified };
  }

  /** The view right after a write: the client's values, nothing read back from the app. */
  fromRecord(record: MappingRecord, data: ScimResource): ResourceView {
    return { id: record.scimId, data, created: record.created, lastModified: record.lastModified };
  }

  /** The group's members as SCIM member values; undefined when the connector cannot list them. */
  async members(groupAppId: string, context: CallContext, written?: unknown): Promise<ScimResource[] | undefined> {
    const ids = await this.#connector.listMembers(groupAppId, context);
    if (!ids) return undefined;
    const displays = memberDisplays(written);
    const records = await this.#idMap.getByAppIds(this.#app, 'User', ids);
    const out: ScimResource[] = [];
    for (const id of ids) {
      const record = records.get(id);
      if (!record) continue; // a member added in the app directly, never seen by the gateway
      const display =
        displays[record.scimId] ??
        (typeof record.shadow?.displayName === 'string' ? record.shadow.displayName : record.key);
      out.push({ value: record.scimId, type: 'User', ...(display ? { display } : {}) });
    }
    return out;
  }
}
