/**
 * Runs the operations of one connector for one configured app: create, get, list (with filter pushdown
 * and paging), update, deactivate/reactivate, delete, and group membership. It speaks app objects and
 * SCIM fragments; SCIM semantics (ids, uniqueness, read-back) belong to core/.
 */
import { NotSupportedError, UpstreamError } from '../errors.ts';
import { AppClient, type CallObserver } from '../outbound/app-client.ts';
import { AuthInjector, type SharedTokenStore } from '../outbound/auth.ts';
import type { RateBudget } from '../outbound/budget.ts';
import type { Clock } from '../outbound/clock.ts';
import type { Pacer } from '../outbound/pacer.ts';
import type { OutboundPolicy } from '../outbound/policy.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Transport } from '../outbound/transport.ts';
import type { AppObject, ListOptions, ListPage } from '../core/app-connector.ts';
import type { ResourceKind } from '../core/id-map.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import { Caller, type CallContext } from './caller.ts';
import type { CompiledConnector, CompiledFilter, CompiledResource } from './compiled.ts';
import type { CustomFieldMapping } from './custom-fields.ts';
import { compileExpression, textOf, type Bindings, type CompiledExpression } from './expression.ts';
import { Mapper, objectOf } from './mapper.ts';
import { outboundPolicy } from './outbound-policy.ts';
import { listTarget } from './list-target.ts';
import { walkPages } from './paginate.ts';
import { resolveAuth } from './resolve-auth.ts';
import { StepRunner } from './step-runner.ts';
import { MemberCalls } from './member-calls.ts';

export type { AppObject, ListPage, PushdownFilter } from '../core/app-connector.ts';

export interface UpdateInput {
  scim: ScimResource;
  old: ScimResource;
  changed: string[];
}

export interface AppSettings {
  config: Record<string, unknown>;
  secrets: Record<string, string>;
  /** SCIM attributes this app keeps in the app's custom fields (gateway.yaml customFields). */
  customFields?: Partial<Record<ResourceKind, readonly CustomFieldMapping[]>>;
}

function badAnswer(connector: string, operation: string, why: string): UpstreamError {
  return new UpstreamError(
    'SCIMGW_UPSTREAM_ANSWER',
    `The app's answer could not be used (${connector} ${operation}: ${why})`,
  );
}

const DEFAULT_ID = compileExpression('$string(id)', { file: '<default>' });

/**
 * Top-level fields of the app payload that differ; a field that disappeared is sent as null (cleared).
 * Both payloads are toApp's plain JSON, read here and not changed.
 */
export function appFieldChanges(before: unknown, after: unknown): Record<string, unknown> {
  const a = objectOf(before);
  const b = objectOf(after);
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out[key] = b[key] === undefined ? null : b[key];
  }
  return out;
}

/** How an app's runtime reaches it: everything its AppClient is built from. */
export interface RuntimeOptions {
  transport: Transport;
  /** Default: the connector's own (outboundPolicy(connector)). */
  policy?: OutboundPolicy;
  /** The budget store (Redis: shared by replicas); default: this process's. */
  budget?: RateBudget;
  sharedTokens?: { store: SharedTokenStore; key: string };
  metrics?: Metrics;
  observer?: CallObserver;
  clock?: Clock;
}

export class ConnectorRuntime {
  readonly connector: CompiledConnector;
  readonly client: AppClient;
  readonly #caller: Caller;
  readonly #secretBindings: Bindings;
  readonly #mapper: Mapper;
  readonly #runner: StepRunner;
  readonly #members: MemberCalls;

  private constructor(connector: CompiledConnector, settings: AppSettings, caller: Caller, client: AppClient) {
    this.connector = connector;
    this.client = client;
    this.#caller = caller;
    this.#secretBindings = { config: settings.config, secrets: settings.secrets };
    this.#mapper = new Mapper(connector, settings.config, settings.customFields);
    this.#runner = new StepRunner(caller, connector.id, this.#secretBindings);
    this.#members = new MemberCalls({
      connector,
      caller,
      runner: this.#runner,
      mapper: this.#mapper,
      secretBindings: this.#secretBindings,
    });
  }

  /** The app's runtime and its AppClient: the one place an app's outbound client is built. */
  static async create(
    connector: CompiledConnector,
    settings: AppSettings,
    options: RuntimeOptions,
  ): Promise<ConnectorRuntime> {
    const secretBindings = { config: settings.config, secrets: settings.secrets };
    const policy = options.policy ?? outboundPolicy(connector);
    const credentials = new AuthInjector(await resolveAuth(connector.auth, secretBindings), options.transport, {
      timeoutMs: policy.timeoutMs,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.sharedTokens ? { shared: options.sharedTokens } : {}),
    });
    const client = new AppClient(policy, {
      transport: options.transport,
      credentials,
      ...(options.budget ? { budget: options.budget } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    const headers: [string, string][] = [];
    for (const [name, template] of connector.http.headers) headers.push([name, await template.render(secretBindings)]);
    const caller = new Caller({
      connector,
      client,
      baseUrl: await connector.http.baseUrl.render(secretBindings),
      headers,
    });
    return new ConnectorRuntime(connector, settings, caller, client);
  }

  get pacer(): Pacer {
    return this.client.pacer;
  }

  supports(kind: ResourceKind): boolean {
    return this.connector.resources[kind] !== undefined;
  }

  mappedAttributes(kind: ResourceKind): readonly string[] {
    return this.#mapper.mappedAttributes(kind);
  }

  resource(kind: ResourceKind): CompiledResource {
    const resource = this.connector.resources[kind];
    if (!resource)
      throw new NotSupportedError(
        `The ${this.connector.id} connector does not provision ${kind === 'User' ? 'users' : 'groups'}`,
      );
    return resource;
  }

  toApp(kind: ResourceKind, scim: ScimResource): Promise<unknown> {
    return this.#mapper.toApp(kind, scim);
  }

  toScim(kind: ResourceKind, raw: unknown): Promise<ScimResource> {
    return this.#mapper.toScim(kind, raw);
  }

  /**
   * The app object in an answer and its id. An answer without a body can still name the object (Mailman:
   * 201 with the id in the Location header, read with `id: $substringAfter($headers.location, "/users/")`);
   * then `getAfter: true` reads the object itself.
   */
  async #object(
    kind: ResourceKind,
    body: unknown,
    select: CompiledExpression | undefined,
    id: CompiledExpression | undefined,
    bindings: Bindings,
  ): Promise<AppObject | undefined> {
    const selected = select ? await select.evaluate(body, bindings) : body;
    const raw = selected && typeof selected === 'object' ? selected : {};
    const appId = await (id ?? DEFAULT_ID).evaluate(raw, bindings);
    if (appId === undefined || appId === null || appId === '') return undefined;
    return { appId: textOf(appId), raw, scim: await this.toScim(kind, raw) };
  }

  async create(
    kind: ResourceKind,
    scim: ScimResource,
    scimId: string,
    context: CallContext,
  ): Promise<{ created: AppObject } | { conflict: true }> {
    const operation = this.resource(kind).create;
    if (!operation) throw new NotSupportedError(`The ${this.connector.id} connector cannot create ${kind}s`);
    const bindings = this.#mapper.bindings(kind, { scim, scimId, app: await this.toApp(kind, scim) });
    const result = await this.#runner.run(
      operation,
      `${kind}.create`,
      bindings,
      context,
      operation.onConflict === 'adopt',
    );
    if (result?.outcome.result === 'conflict') return { conflict: true };
    if (!result || result.outcome.result !== 'success')
      throw result
        ? this.#runner.error(result, `${kind}.create`)
        : badAnswer(this.connector.id, `${kind}.create`, 'no call was made');
    const object = await this.#object(kind, result.body, operation.select, operation.id, {
      ...bindings,
      status: result.status,
      headers: result.headers,
      steps: result.steps,
    });
    if (!object) throw badAnswer(this.connector.id, `${kind}.create`, 'the answer carries no id');
    if (!operation.getAfter) return { created: object };
    return { created: (await this.get(kind, object.appId, context)) ?? object };
  }

  async get(kind: ResourceKind, appId: string, context: CallContext): Promise<AppObject | undefined> {
    const operation = this.resource(kind).get;
    const bindings = this.#mapper.bindings(kind, { id: appId });
    const result = await this.#runner.run(operation, `${kind}.get`, bindings, context);
    if (!result || result.outcome.result === 'notFound') return undefined;
    if (result.outcome.result !== 'success') throw this.#runner.error(result, `${kind}.get`);
    const object = await this.#object(kind, result.body, operation.select, operation.id, {
      ...bindings,
      steps: result.steps,
    });
    return object ? { ...object, appId } : undefined;
  }

  /** The pushdown entry for a SCIM attribute and operator, if the connector declares one. */
  pushdown(kind: ResourceKind, attribute: string, op: string): CompiledFilter | undefined {
    const normalized = attribute.toLowerCase().replace(/\s+/g, ' ');
    return this.resource(kind).list.filters.find(
      (filter) => filter.op === op && filter.attribute.toLowerCase().replace(/\s+/g, ' ') === normalized,
    );
  }

  /** Whether the connector can list only the objects changed since a time (list.changedSince). */
  canListChanges(kind: ResourceKind): boolean {
    return this.connector.resources[kind]?.list.changedSince !== undefined;
  }

  async *list(kind: ResourceKind, context: CallContext, options: ListOptions = {}): AsyncGenerator<ListPage> {
    const operation = this.resource(kind).list;
    const step = operation.steps[0];
    if (!step) return;
    const bindings = this.#mapper.bindings(kind, {
      ...(options.filter ? { filter: options.filter } : {}),
      ...(options.changedSince !== undefined ? { since: options.changedSince } : {}),
    });
    const secretBindings = { ...bindings, ...this.#secretBindings };
    const pushdown = options.filter ? this.pushdown(kind, options.filter.attribute, options.filter.op) : undefined;
    const changes = options.changedSince !== undefined ? operation.changedSince : undefined;
    if (options.changedSince !== undefined && !changes)
      throw new NotSupportedError(`The ${this.connector.id} connector cannot list ${kind}s changed since a time`);
    const { query, path } = await listTarget(step.request.query, pushdown, changes, secretBindings);
    const walk = {
      request: step.request,
      pagination: pushdown?.pagination ?? operation.pagination,
      items: pushdown?.items ?? operation.items,
      outcomes: step.outcomes,
      operation: `${kind}.list`,
    };
    const id = pushdown?.id ?? operation.id;
    const walkOptions = {
      ...(query ? { query } : {}),
      ...(path ? { path } : {}),
      ...(options.startOffset !== undefined ? { startOffset: options.startOffset } : {}),
    };
    for await (const page of walkPages(this.#caller, walk, bindings, secretBindings, context, walkOptions)) {
      const objects: AppObject[] = [];
      for (const raw of page.items) {
        const object = await this.#object(kind, raw, undefined, id, bindings);
        if (object) objects.push(object);
      }
      yield {
        objects,
        offset: page.offset,
        more: page.more,
        ...(page.total !== undefined ? { total: page.total } : {}),
      };
    }
  }

  /** Sends the changed fields; returns the app's object when its answer carries one, 'notFound' if it vanished. */
  async update(
    kind: ResourceKind,
    appId: string,
    input: UpdateInput,
    context: CallContext,
  ): Promise<AppObject | undefined | 'notFound'> {
    const operation = this.resource(kind).update;
    if (!operation) throw new NotSupportedError(`The ${this.connector.id} connector cannot update ${kind}s`);
    const [before, after] = [await this.toApp(kind, input.old), await this.toApp(kind, input.scim)];
    const appChanges = appFieldChanges(before, after);
    if (operation.skipIfUnchanged && Object.keys(appChanges).length === 0) return undefined;
    const bindings = this.#mapper.bindings(kind, {
      id: appId,
      scim: input.scim,
      old: input.old,
      changed: input.changed,
      app: after,
      appBefore: before,
      appChanges,
    });
    const result = await this.#runner.run(operation, `${kind}.update`, bindings, context);
    if (!result) return undefined;
    if (result.outcome.result === 'notFound') return 'notFound';
    if (result.outcome.result !== 'success') throw this.#runner.error(result, `${kind}.update`);
    const object = await this.#object(kind, result.body, operation.select, operation.id, {
      ...bindings,
      steps: result.steps,
    });
    return object ? { ...object, appId } : undefined;
  }

  canSetActive(kind: ResourceKind): boolean {
    const resource = this.connector.resources[kind];
    return Boolean(resource?.deactivate && resource.reactivate);
  }

  /** Runs deactivate or reactivate; returns false when the app no longer has the object. */
  async setActive(kind: ResourceKind, appId: string, active: boolean, context: CallContext): Promise<boolean> {
    const operation = active ? this.resource(kind).reactivate : this.resource(kind).deactivate;
    if (!operation)
      throw new NotSupportedError(
        `The ${this.connector.id} connector cannot ${active ? 'reactivate' : 'deactivate'} ${kind}s`,
      );
    const name = `${kind}.${active ? 'reactivate' : 'deactivate'}`;
    const result = await this.#runner.run(operation, name, this.#mapper.bindings(kind, { id: appId }), context);
    if (result?.outcome.result === 'notFound') return false;
    if (result && result.outcome.result !== 'success') throw this.#runner.error(result, name);
    return true;
  }

  /** Returns false when the app had no such object (a DELETE is then still a success for the app's state). */
  async delete(kind: ResourceKind, appId: string, context: CallContext): Promise<boolean> {
    const operation = this.resource(kind).delete;
    if (!operation) throw new NotSupportedError(`The ${this.connector.id} connector cannot delete ${kind}s`);
    const result = await this.#runner.run(
      operation,
      `${kind}.delete`,
      this.#mapper.bindings(kind, { id: appId }),
      context,
    );
    if (result?.outcome.result === 'notFound') return false;
    if (result && result.outcome.result !== 'success') throw this.#runner.error(result, `${kind}.delete`);
    return true;
  }

  hasMembers(): boolean {
    return this.connector.resources.Group?.members !== undefined;
  }

  /** How many members one call can change: the connector's batchSize with addMany/removeMany, else 1. */
  memberBatchSize(action: 'add' | 'remove'): number {
    const members = this.connector.resources.Group?.members;
    return members?.[action === 'add' ? 'addMany' : 'removeMany'] ? members.batchSize : 1;
  }

  /** Adds or removes members: one bulk call when the connector has one and several are given, else one call each. */
  changeMembers(
    action: 'add' | 'remove',
    groupAppId: string,
    memberAppIds: readonly string[],
    context: CallContext,
  ): Promise<void> {
    return this.#members.change(action, groupAppId, memberAppIds, context);
  }

  /** Time the app's budget needs for `calls` more calls, for a Retry-After sized to the work left. */
  estimateMs(calls: number): number {
    return this.pacer.estimateMs(calls);
  }

  /** App ids of the group's members, or undefined when the connector cannot list them. */
  listMembers(groupAppId: string, context: CallContext): Promise<string[] | undefined> {
    return this.#members.list(groupAppId, context);
  }

  close(): void {
    this.client.close();
  }
}
