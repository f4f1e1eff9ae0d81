/**
 * A Transport that answers from a fixture's declared exchanges, in order, and records every difference:
 * a call that was not declared, a declared call whose method, URL, query, headers or body do not match,
 * and (after the case) declared calls that were never made. There is no other way out of the process in a
 * fixture run, so "network locked" holds by construction.
 */
import type { OutboundRequest, OutboundResponse, SendOptions, Transport } from '../../outbound/transport.ts';
import type { FixtureCase } from './fixture.ts';
import { lowerKeys, subsetMismatches } from './subset.ts';

type Exchange = FixtureCase['exchanges'][number];

/** One call the gateway made in a fixture run, whole, with the declared exchange that answered it. */
export interface RecordedCall {
  /** Index into the fixture's exchanges. */
  index: number;
  request: OutboundRequest;
  /** The request body parsed (JSON, or a form as its fields). */
  body: unknown;
  /** The fixture's answer to it. */
  response: Exchange['response'];
}

function parseBody(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Form bodies (OAuth token requests) compare as their fields.
    if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(text)) return Object.fromEntries(new URLSearchParams(text));
    return text;
  }
}

export class ReplayTransport implements Transport {
  readonly #exchanges: Exchange[];
  readonly #baseUrl: URL;
  #next = 0;
  readonly problems: string[] = [];
  readonly calls: string[] = [];
  readonly recorded: RecordedCall[] = [];

  /** `baseUrl`: the connector's rendered http.baseUrl, against which relative fixture URLs are read. */
  constructor(exchanges: Exchange[], baseUrl: string) {
    this.#exchanges = exchanges;
    this.#baseUrl = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  async send(request: OutboundRequest, _options: SendOptions): Promise<OutboundResponse> {
    const url = new URL(request.url);
    const label = `${request.method} ${url.pathname}${url.search}`;
    this.calls.push(label);
    const index = this.#next++;
    const exchange = this.#exchanges[index];
    if (!exchange) {
      this.problems.push(
        `call ${index + 1}: ${label} was not declared (the fixture declares ${this.#exchanges.length} calls)`,
      );
      throw new Error(`Undeclared call in a fixture run: ${label}`);
    }
    const expected = exchange.request;
    const problems: string[] = [];
    if (expected.method !== request.method) problems.push(`method: expected ${expected.method}, got ${request.method}`);
    const wanted = new URL(
      /^https?:\/\//.test(expected.url) ? expected.url : expected.url.replace(/^\/+/, ''),
      this.#baseUrl,
    );
    if (wanted.origin !== url.origin || wanted.pathname !== url.pathname)
      problems.push(`url: expected ${wanted.origin}${wanted.pathname}, got ${url.origin}${url.pathname}`);
    const query = { ...Object.fromEntries(wanted.searchParams), ...(expected.query ?? {}) };
    problems.push(...subsetMismatches(query, Object.fromEntries(url.searchParams), 'query').filter(Boolean));
    if (expected.headers)
      problems.push(...subsetMismatches(lowerKeys(expected.headers), lowerKeys(request.headers), 'headers'));
    if (expected.body !== undefined) problems.push(...subsetMismatches(expected.body, parseBody(request.body), 'body'));
    for (const problem of problems) this.problems.push(`call ${index + 1} (${label}): ${problem}`);
    const response = exchange.response;
    this.recorded.push({ index, request, body: parseBody(request.body), response });
    const body =
      response.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : JSON.stringify(response.body);
    const headers: Record<string, string> = Object.fromEntries(
      Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    if (body && !headers['content-type'] && typeof response.body !== 'string')
      headers['content-type'] = 'application/json';
    return { status: response.status, headers, body };
  }

  /** Declared calls the run never made. */
  leftovers(): string[] {
    return this.#exchanges
      .slice(this.#next)
      .map(
        (exchange, offset) =>
          `call ${this.#next + offset + 1} (${exchange.request.method} ${exchange.request.url}) was declared but not made`,
      );
  }

  async close(): Promise<void> {}
}
