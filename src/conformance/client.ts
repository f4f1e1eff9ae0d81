/**
 * The conformance run's only way out: every request goes through a Transport to a path under the one base
 * URL the user gave, so the run can never be steered elsewhere (a Location header or a `$ref` in an answer
 * is read, never followed). Query parameters on the base URL (Entra's `?aadOptscim062020` flag) are kept on
 * every request, as Entra does.
 */
import type { OutboundRequest, Transport } from '../outbound/transport.ts';

export interface ScimAnswer {
  method: string;
  path: string;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
  /** The parsed JSON body; undefined when empty or not JSON. */
  body: any;
}

export interface ScimClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  transport: Transport;
}

export interface SendOptions {
  body?: unknown;
  /** Replaces the bearer token; `null` sends no Authorization header at all. */
  token?: string | null;
}

/** Checks `raw` is an http(s) URL without credentials or fragment; returns it without a trailing slash. */
export function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL: give the SCIM base URL, e.g. https://host/scim/v2`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${raw}" is not an http(s) URL`);
  if (url.username || url.password) throw new Error('Put the credentials in --token, not in the URL');
  url.hash = '';
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

export class ScimClient {
  readonly #base: URL;
  readonly #options: ScimClientOptions;
  /** Every answer received, in order: the content-type check reads them all. */
  readonly answers: ScimAnswer[] = [];

  constructor(options: ScimClientOptions) {
    this.#base = parseBaseUrl(options.baseUrl);
    this.#options = options;
  }

  /** `path` is relative to the base URL and may carry its own query string, e.g. `/Users?filter=…`. */
  urlOf(path: string): string {
    const cut = path.indexOf('?');
    const pathname = cut === -1 ? path : path.slice(0, cut);
    const query = cut === -1 ? '' : path.slice(cut + 1);
    const url = new URL(this.#base.href);
    url.pathname = `${this.#base.pathname}${pathname}`;
    const params = new URLSearchParams(this.#base.search);
    for (const [name, value] of new URLSearchParams(query)) params.append(name, value);
    // URLSearchParams writes spaces as "+"; SCIM servers are more used to %20 in filters.
    url.search = params.toString().replace(/\+/g, '%20');
    return url.href;
  }

  async send(method: OutboundRequest['method'], path: string, options: SendOptions = {}): Promise<ScimAnswer> {
    const headers: Record<string, string> = { accept: 'application/scim+json' };
    const token = options.token === undefined ? this.#options.token : options.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const request: OutboundRequest = { method, url: this.urlOf(path), headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/scim+json';
      request.body = JSON.stringify(options.body);
    }
    const signal = AbortSignal.timeout(this.#options.timeoutMs);
    let response;
    try {
      response = await this.#options.transport.send(request, { timeoutMs: this.#options.timeoutMs, signal });
    } catch (error) {
      if (signal.aborted)
        throw new Error(`${method} ${path}: no answer within ${this.#options.timeoutMs / 1000} s`, { cause: error });
      throw error;
    }
    let body: unknown;
    try {
      body = response.body ? JSON.parse(response.body) : undefined;
    } catch {
      body = undefined;
    }
    const answer = { method, path, status: response.status, headers: response.headers, text: response.body, body };
    this.answers.push(answer);
    return answer;
  }

  get(path: string, options?: SendOptions) {
    return this.send('GET', path, options);
  }
  post(path: string, body: unknown) {
    return this.send('POST', path, { body });
  }
  patch(path: string, body: unknown) {
    return this.send('PATCH', path, { body });
  }
  delete(path: string) {
    return this.send('DELETE', path);
  }
}
