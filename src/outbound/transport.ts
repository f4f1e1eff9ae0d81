/**
 * The one door to the network. The gateway's runtime talks to a Transport; production uses undici (a
 * tenth of got's CPU per call, see bench/), connector fixture tests use a replay transport that fails on
 * any call it was not told about, so "network locked" holds by construction.
 */
import { Agent } from 'undici';

export interface OutboundRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The largest body accepted; a larger answer is abandoned with ResponseTooLargeError. */
  maxBytes?: number;
}

export interface Transport {
  send(request: OutboundRequest, options: SendOptions): Promise<OutboundResponse>;
  close(): Promise<void>;
}

/** The request never got a usable answer. `sent` is false when it surely did not reach the app. */
export class NetworkError extends Error {
  readonly code: string;
  readonly sent: boolean;
  constructor(code: string, message: string, sent: boolean, cause?: unknown) {
    super(message, { cause });
    this.name = 'NetworkError';
    this.code = code;
    this.sent = sent;
  }
}

/** The app answered with more than SendOptions.maxBytes: the rest was not read. Not worth retrying. */
export class ResponseTooLargeError extends Error {
  readonly limit: number;
  constructor(limit: number, host: string) {
    super(`${host}: the answer is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
    this.limit = limit;
  }
}

/** The body as text, read no further than `maxBytes` (checked against Content-Length first). */
async function readCapped(
  body: AsyncIterable<Buffer> & { destroy(error?: Error): unknown; text(): Promise<string> },
  headers: Record<string, string>,
  maxBytes: number | undefined,
  url: string,
): Promise<string> {
  const declared = headers['content-length'];
  // A declared length within the cap is all HTTP will deliver: read it whole, without a promise per chunk.
  if (maxBytes === undefined || (declared !== undefined && Number(declared) <= maxBytes)) return body.text();
  const tooLarge = () => {
    const error = new ResponseTooLargeError(maxBytes, new URL(url).host);
    body.destroy(error);
    return error;
  };
  if (Number(declared ?? 0) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

export function normalizeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * An origin and a path that WHATWG URL would leave as they are: a lower-case host, characters a URL may
 * carry unencoded, no default port, and nothing that could be a dot segment ("/." or an encoded dot).
 */
const PLAIN_URL = /^(https?:\/\/[a-z0-9.-]+(?::\d{1,5})?)(\/[\w\-.~!$&()*+,;=:@%/?]*)?$/;
const MAYBE_DOT_SEGMENT = /\/\.|%2e/i;
const DEFAULT_PORT = /^http:\/\/[^/]*:80$|^https:\/\/[^/]*:443$/;

/**
 * The origin and path undici's dispatcher takes. Parsing every URL with `new URL` (as undici's top-level
 * request() does) shows in the CPU profile; a URL with nothing to normalise is split as it is, any
 * other goes through the parser.
 */
export function originAndPath(url: string): { origin: string; path: string } {
  const plain = PLAIN_URL.exec(url);
  if (plain && !MAYBE_DOT_SEGMENT.test(plain[2] ?? '') && !DEFAULT_PORT.test(plain[1]!))
    return { origin: plain[1]!, path: plain[2] ?? '/' };
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

export class UndiciTransport implements Transport {
  readonly #agent: Agent;

  constructor(options: { connections?: number } = {}) {
    this.#agent = new Agent({ connections: options.connections ?? 64, keepAliveTimeout: 10_000, pipelining: 1 });
  }

  async send(outbound: OutboundRequest, options: SendOptions): Promise<OutboundResponse> {
    try {
      const response = await this.#agent.request({
        ...originAndPath(outbound.url),
        method: outbound.method,
        headers: outbound.headers,
        body: outbound.body,
        signal: options.signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const headers = normalizeHeaders(response.headers);
      const body = await readCapped(response.body, headers, options.maxBytes, outbound.url);
      return { status: response.statusCode, headers, body };
    } catch (error) {
      if (options.signal?.aborted || error instanceof ResponseTooLargeError) throw error;
      const code = (error as { code?: string }).code ?? 'ENETWORK';
      throw new NetworkError(
        code,
        `${outbound.method} ${new URL(outbound.url).host}: ${code}`,
        !NOT_SENT.has(code),
        error,
      );
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
