/**
 * The Transport behind `scimgw try`: prints every outbound call with its secrets masked and sends no
 * write. Writes (POST/PUT/PATCH/DELETE) get a synthetic success; reads (GET) are answered 404 unless a
 * `reads` transport is given, which then sends them (and the OAuth token requests they need) to the app.
 *
 * Limits of the synthetic answers, which know nothing of the connector: a create's answer is the request
 * body plus `"id": "dry-run-N"` (also inside a sole wrapping object such as Zendesk's `{ "user": {…} }`)
 * and a Location header ending in that id, so `response.id` expressions reading `id`, `<wrapper>.id` or the
 * Location header find it; any other id expression finds nothing and the create fails as "no id". Fields
 * the app would add (timestamps, defaults) are absent, so the SCIM answer shows only what was sent.
 */
import type { OutboundRequest, OutboundResponse, SendOptions, Transport } from '../outbound/transport.ts';

/** Header, query and form field names whose values are never printed. */
const SECRET_NAME = /key|token|secret|auth|cookie|password|signature/i;
const MASK = '****';

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function maskUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username || parsed.password) {
    parsed.username = MASK;
    parsed.password = parsed.password ? MASK : '';
  }
  for (const name of new Set(parsed.searchParams.keys())) {
    if (isSecretName(name)) parsed.searchParams.set(name, MASK);
  }
  // URLSearchParams would percent-encode the mask; keep it readable.
  return parsed.toString().replaceAll(encodeURIComponent(MASK), MASK);
}

function isForm(headers: Record<string, string>): boolean {
  return Object.entries(headers).some(
    ([name, value]) => name.toLowerCase() === 'content-type' && value.includes('application/x-www-form-urlencoded'),
  );
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A body for people: JSON pretty-printed, form fields one per line with secrets masked, else as is. */
export function formatBody(body: string | undefined, headers: Record<string, string>, limit = 4000): string[] {
  if (body === undefined || body === '') return [];
  let text: string;
  if (isForm(headers)) {
    text = [...new URLSearchParams(body)]
      .map(([name, value]) => `${name}=${isSecretName(name) ? MASK : value}`)
      .join('\n');
  } else {
    const json = parseJson(body);
    text = json === undefined ? body : JSON.stringify(json, null, 2);
  }
  if (text.length > limit) text = `${text.slice(0, limit)}\n… (${text.length - limit} more characters)`;
  return text.split('\n');
}

export function formatRequest(request: OutboundRequest): string[] {
  const lines = [`${request.method} ${maskUrl(request.url)}`];
  for (const [name, value] of Object.entries(request.headers))
    lines.push(`  ${name.toLowerCase()}: ${isSecretName(name) ? MASK : value}`);
  const body = formatBody(request.body, request.headers);
  if (body.length) lines.push('', ...body.map((line) => `  ${line}`));
  return lines;
}

function formatResponse(response: OutboundResponse, note: string): string[] {
  const lines = [`  → ${response.status} ${note}`];
  const body = formatBody(response.body, response.headers, 2000);
  if (body.length) lines.push(...body.map((line) => `    ${line}`));
  return lines;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** An OAuth2 token request (client credentials): it changes nothing in the app. */
function isTokenRequest(request: OutboundRequest): boolean {
  return (
    request.method === 'POST' && isForm(request.headers) && new URLSearchParams(request.body ?? '').has('grant_type')
  );
}

export class DryRunTransport implements Transport {
  readonly #reads: Transport | undefined;
  readonly #print: (lines: string[]) => void;
  #created = 0;
  /** Every call, as "METHOD url" with secrets masked, in order. */
  readonly calls: string[] = [];

  /** `reads`: where GETs are sent (--allow-reads); without it nothing leaves the process. */
  constructor(options: { reads?: Transport; print: (lines: string[]) => void }) {
    this.#reads = options.reads;
    this.#print = options.print;
  }

  async send(request: OutboundRequest, options: SendOptions): Promise<OutboundResponse> {
    this.calls.push(`${request.method} ${maskUrl(request.url)}`);
    const lines = ['', ...formatRequest(request)];
    const sendable = request.method === 'GET' || isTokenRequest(request);
    if (sendable && this.#reads) {
      let response: OutboundResponse;
      try {
        response = await this.#reads.send(request, options);
      } catch (error) {
        this.#print([...lines, `  → not answered: ${error instanceof Error ? error.message : String(error)}`]);
        throw error;
      }
      this.#print([...lines, ...formatResponse(response, '(sent: --allow-reads)')]);
      return response;
    }
    const response = this.#synthetic(request);
    const note =
      request.method === 'GET' ? '(not sent: reads need --allow-reads)' : '(not sent: dry run, synthetic answer)';
    this.#print([...lines, ...formatResponse(response, note)]);
    return response;
  }

  #synthetic(request: OutboundRequest): OutboundResponse {
    if (request.method === 'GET') {
      return {
        status: 404,
        headers: JSON_HEADERS,
        body: JSON.stringify({ error: 'scimgw try: reads are not sent without --allow-reads' }),
      };
    }
    if (isTokenRequest(request)) {
      return {
        status: 200,
        headers: JSON_HEADERS,
        body: JSON.stringify({ access_token: 'dry-run-token', token_type: 'Bearer', expires_in: 3600 }),
      };
    }
    const sent = parseJson(request.body);
    if (request.method === 'POST' && isPlainObject(sent)) return this.#created201(request, sent);
    // DELETE, and bodiless actions such as POST /users/1/deactivate or PUT /teams/1/members/2.
    if (request.method === 'DELETE' || sent === undefined) return { status: 204, headers: {}, body: '' };
    // PUT and PATCH: the app is assumed to store what it was sent and answer with it.
    return { status: 200, headers: JSON_HEADERS, body: JSON.stringify(sent) };
  }

  /** A POST with an object body is answered as a create; the id also goes inside a sole wrapping object, where `select` would look. */
  #created201(request: OutboundRequest, sent: Record<string, unknown>): OutboundResponse {
    const id = `dry-run-${++this.#created}`;
    const entries = Object.entries(sent);
    const wrapped =
      entries.length === 1 && isPlainObject(entries[0]![1]) ? { [entries[0]![0]]: { ...entries[0]![1], id } } : {};
    const body = { ...sent, ...wrapped, id };
    const location = `${request.url.split('?')[0]!.replace(/\/+$/, '')}/${id}`;
    return { status: 201, headers: { ...JSON_HEADERS, location }, body: JSON.stringify(body) };
  }

  async close(): Promise<void> {
    await this.#reads?.close();
  }
}
