/**
 * Fixture cases for a drafted connector, recorded rather than written: each Entra request runs through the
 * real gateway with the draft, and every call it makes is answered from the document — the operation's
 * own example when it has one, otherwise a value made from its schema (with the request's fields echoed
 * into the object it answers). The recorded exchanges become the case, so the draft's fixtures pass
 * `connector test` by construction and show what the document promises.
 */
import type { OutboundRequest, OutboundResponse } from '../../../outbound/transport.ts';
import type { RecordedCall } from '../../testing/replay-transport.ts';
import type { RunTransport } from '../../testing/run-fixture.ts';
import type { Json } from '../document.ts';
import type { OperationIndex } from '../operations.ts';
import { isObject, itemsOf, listOf, propertiesOf } from '../schemas.ts';

const FIXED_TIME = '2026-01-05T10:00:00Z';

/** A plausible value for a schema, by field name where the type alone says little. */
export function exampleOf(schema: unknown, name = '', depth = 0): unknown {
  if (!isObject(schema) || depth > 6) return null;
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0];
  if (Array.isArray(schema.enum) && schema.enum.length)
    return schema.enum.find((value) => /^(active|enabled)$/i.test(String(value))) ?? schema.enum[0];
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key]) && !schema.properties) {
      const parts = (schema[key] as unknown[]).map((part) => exampleOf(part, name, depth + 1));
      return key === 'allOf' ? Object.assign({}, ...parts.filter(isObject)) : parts[0];
    }
  }
  const type: unknown = Array.isArray(schema.type)
    ? listOf(schema.type).find((entry) => entry !== 'null')
    : schema.type;
  if (type === 'object' || schema.properties) {
    const out: Json = {};
    for (const [key, child] of propertiesOf(schema) ?? []) out[key] = exampleOf(child, key, depth + 1);
    return out;
  }
  if (type === 'array') return [exampleOf(itemsOf(schema), name.replace(/s$/, ''), depth + 1)];
  return scalarExample(type, schema.format, name);
}

function scalarExample(type: unknown, format: unknown, name: string): unknown {
  const lower = name.toLowerCase();
  if (type === 'integer' || type === 'number') return /(^|_)id$|^id$|gid/.test(lower) ? 101 : 1;
  if (type === 'boolean') return /active|enabled/.test(lower);
  if (type === 'string') {
    if (format === 'date-time' || /_at$|date|time/.test(lower)) return FIXED_TIME;
    if (/mail/.test(lower)) return 'jane.doe@example.com';
    if (/^(id|gid|uuid)$/.test(lower)) return '101';
    return `${name || 'text'}-1`;
  }
  return null;
}

function successOf(operation: Json): { status: number; body: unknown } {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const code =
    Object.keys(responses)
      .filter((key) => /^2\d\d$/.test(key))
      .sort()[0] ?? '200';
  const response = responses[code] as Json | undefined;
  const content = isObject(response?.content) ? response.content : undefined;
  const type = content && Object.keys(content).find((candidate) => /json/i.test(candidate));
  if (!type) return { status: Number(code), body: undefined };
  const media = content[type] as Json;
  const examples = isObject(media.examples)
    ? Object.values(media.examples)
        .map((entry) => (isObject(entry) ? entry.value : undefined))
        .filter((value) => value !== undefined)
    : [];
  return { status: Number(code), body: media.example ?? examples[0] ?? exampleOf(media.schema) };
}

/** The request's JSON fields laid into the object of the answer (inside the same envelope). */
function echo(answer: unknown, request: unknown): unknown {
  if (!isObject(answer) || !isObject(request)) return answer;
  const out: Json = { ...answer };
  for (const [key, value] of Object.entries(request)) {
    if (isObject(value) && isObject(out[key])) out[key] = echo(out[key], value);
    else if (key in out && value !== null) out[key] = value;
  }
  return out;
}

/**
 * The answer to a list's later page: the document's example would name a next page forever, so later
 * pages come back empty, with no next page.
 */
function lastPage(answer: unknown): unknown {
  if (Array.isArray(answer)) return [];
  if (!isObject(answer)) return answer;
  return Object.fromEntries(
    Object.entries(answer).map(([key, value]) => [key, /next/i.test(key) ? null : lastPage(value)]),
  );
}

export interface Override {
  /** "GET /users/{id}": the document route an override applies to. */
  route: string;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Answers only the first N calls to the route; later calls get the document's answer. */
  times?: number;
}

/** Answers every call from the document (and the case's overrides), recording what it answered. */
export class DocumentTransport implements RunTransport {
  readonly problems: string[] = [];
  readonly recorded: RecordedCall[] = [];
  readonly #index: OperationIndex;
  readonly #serverPath: string;
  readonly #overrides: Override[];
  /** GET routes answered once already in this case: later calls are later pages. */
  readonly #pages = new Set<string>();

  constructor(index: OperationIndex, serverPath: string, overrides: Override[] = []) {
    this.#index = index;
    this.#serverPath = serverPath.replace(/\/+$/, '');
    this.#overrides = overrides.map((override) => ({ ...override }));
  }

  async send(request: OutboundRequest): Promise<OutboundResponse> {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(this.#serverPath) ? url.pathname.slice(this.#serverPath.length) : url.pathname;
    const operation = this.#index.find(request.method, path);
    let body: unknown = request.body ? (JSON.parse(request.body) as unknown) : undefined;
    let response: { status: number; body?: unknown; headers?: Record<string, string> };
    const override =
      operation &&
      this.#overrides.find(
        (candidate) => candidate.route === `${request.method} ${operation.template}` && (candidate.times ?? 1) > 0,
      );
    if (override) {
      if (override.times !== undefined) override.times--;
      response = {
        status: override.status,
        ...(override.body !== undefined ? { body: override.body } : {}),
        ...(override.headers ? { headers: override.headers } : {}),
      };
    } else if (operation) {
      const success = successOf(operation.operation);
      const route = `${request.method} ${operation.template}`;
      const later = request.method === 'GET' && this.#pages.has(route);
      if (request.method === 'GET') this.#pages.add(route);
      response = {
        status: success.status,
        ...(success.body !== undefined ? { body: later ? lastPage(success.body) : echo(success.body, body) } : {}),
      };
    } else {
      this.problems.push(`${request.method} ${path}: not in the document`);
      response = { status: 404, body: { message: 'not in the document' } };
    }
    body = request.body === undefined ? undefined : body;
    this.recorded.push({ index: this.recorded.length, request, body, response: response });
    const text = response.body === undefined ? '' : JSON.stringify(response.body);
    return {
      status: response.status,
      headers: { ...(text ? { 'content-type': 'application/json' } : {}), ...response.headers },
      body: text,
    };
  }

  leftovers(): string[] {
    return [];
  }

  async close(): Promise<void> {}
}
