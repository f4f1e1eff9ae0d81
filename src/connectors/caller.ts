/**
 * The connector's side of a call: renders a request from its templates (encoding every value inserted
 * into a URL path), works out the per-key buckets it counts against, and hands it to the app's
 * AppClient with the connector's outcome rules as the classifier. Pacing, credentials, retries and the
 * circuit breaker are the client's (outbound/app-client.ts).
 */
import { NotFoundError } from '../errors.ts';
import type { AppAnswer, AppClient, ClientRequest } from '../outbound/app-client.ts';
import type { BucketUse } from '../outbound/pacer.ts';
import type { CallContext } from '../core/app-connector.ts';
import type { CompiledConnector, CompiledOutcome, CompiledRequest } from './compiled.ts';
import type { Bindings } from './expression.ts';
import { classify } from './outcomes.ts';

export type { CallContext } from '../core/app-connector.ts';
export type { CallObserver } from '../outbound/app-client.ts';

/** A rendered request and the per-key buckets it counts against. */
export type PreparedRequest = ClientRequest;

export type CallResult = AppAnswer;

/**
 * Encodes a value inserted into a URL path. encodeURIComponent leaves "." alone, so an id of "." or ".."
 * would become a dot segment that URL parsing folds away (/users/.. is /), sending the call to another
 * resource. Percent-encoding cannot help (WHATWG URLs read %2E as a dot too), and no object can be
 * addressed by such an id, so it is refused as not found.
 */
export function encodePathValue(value: string): string {
  if (value === '.' || value === '..')
    throw new NotFoundError(`The app has no object "${value}": such a value cannot be put in a URL path`);
  return encodeURIComponent(value);
}

export class Caller {
  readonly #connector: CompiledConnector;
  readonly #client: AppClient;
  readonly #baseUrl: string;
  readonly #headers: [string, string][];

  constructor(options: {
    connector: CompiledConnector;
    client: AppClient;
    baseUrl: string;
    headers: [string, string][];
  }) {
    this.#connector = options.connector;
    this.#client = options.client;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#headers = options.headers;
  }

  get connectorId(): string {
    return this.#connector.id;
  }

  /**
   * Renders a request. `url` replaces it with a next-page URL from the app, used as is (its query too);
   * `path` replaces only the url template (a pushed-down filter's url, already rendered), so it is read
   * relative to baseUrl and still gets the query; `extraQuery` adds paging/filter parameters.
   */
  async render(
    spec: CompiledRequest,
    bindings: Bindings,
    secretBindings: Bindings,
    options: { url?: string; path?: string; extraQuery?: [string, string][]; queryOverride?: [string, string][] } = {},
  ): Promise<PreparedRequest> {
    let url: URL;
    if (options.url) {
      url = new URL(options.url, `${this.#baseUrl}/`);
    } else {
      const path = options.path ?? (await spec.url.render(secretBindings, encodePathValue));
      url = new URL(/^https?:\/\//i.test(path) ? path : `${this.#baseUrl}/${path.replace(/^\/+/, '')}`);
      for (const [name, template] of options.queryOverride ? [] : spec.query) {
        const value = await template.render(secretBindings);
        if (value !== '') url.searchParams.set(name, value);
      }
      for (const [name, value] of options.queryOverride ?? []) if (value !== '') url.searchParams.set(name, value);
    }
    for (const [name, value] of options.extraQuery ?? []) url.searchParams.set(name, value);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of this.#headers) headers[name.toLowerCase()] = value;
    for (const [name, template] of spec.headers) headers[name.toLowerCase()] = await template.render(secretBindings);
    const request: PreparedRequest = { method: spec.method, url: url.toString(), headers };
    const buckets = await this.#bucketsFor(spec.method, url, secretBindings);
    if (buckets.length) request.buckets = buckets;
    if (spec.body) {
      const body = await spec.body.evaluate(bindings.scim ?? {}, bindings);
      if (body !== undefined) {
        request.body = JSON.stringify(body);
        headers['content-type'] ??= 'application/json';
      }
    }
    return request;
  }

  /**
   * The connector's per-key buckets this call counts against (matched on method and path below baseUrl).
   * A bucket is a count per window ("5 updates a minute per user"), not a rate to spread: not smoothed.
   */
  async #bucketsFor(method: string, url: URL, bindings: Bindings): Promise<BucketUse[]> {
    const buckets = this.#connector.rateLimit?.buckets ?? [];
    if (!buckets.length) return [];
    const basePath = new URL(`${this.#baseUrl}/`).pathname.replace(/\/$/, '');
    const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || '/' : url.pathname;
    const out: BucketUse[] = [];
    for (const bucket of buckets) {
      if (bucket.methods && !bucket.methods.has(method)) continue;
      if (!bucket.path.test(path)) continue;
      out.push({
        name: bucket.name,
        key: bucket.key ? await bucket.key.render(bindings) : '*',
        limit: { requests: bucket.requests, perMs: bucket.perMs, smooth: false },
      });
    }
    return out;
  }

  /** Sends through the app's client; returns the classified final answer, or throws the SCIM request's error. */
  send(
    request: PreparedRequest,
    rules: readonly CompiledOutcome[],
    context: CallContext,
    meta: { operation: string; conflictDetectable: boolean },
  ): Promise<CallResult> {
    return this.#client.send(request, (response) => classify(response, rules), context, meta);
  }
}
