/** Small HTTP helpers over node:http, so the route modules never touch raw sockets or streams. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './errors.ts';
import type { Range } from './model.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this, stop draining an oversize upload and drop the connection instead. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

const DEFAULT_PER_PAGE = 25;
const MAX_PER_PAGE = 100;

export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  const body: { code: string; message: string; field?: string } = { code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  sendJson(res, error.status, { error: body });
}

/**
 * Reads the whole body as UTF-8. An oversize body is still drained (up to a cap) before the
 * 413 goes out, because answering mid-upload makes most clients report a broken pipe instead.
 */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_DRAIN_BYTES) req.socket.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        reject(new ApiError(413, 'payload_too_large', `Request body exceeds ${MAX_BODY_BYTES} bytes`));
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
  });
}

/** What a handler may ask of the body; parsing happens once, up front, so the request log can show it. */
export type ParsedBody = { kind: 'empty' } | { kind: 'json'; value: unknown } | { kind: 'bad'; text: string };

export function parseBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'bad', text };
  }
}

export function requireObject(body: ParsedBody): Record<string, unknown> {
  if (body.kind === 'json' && typeof body.value === 'object' && body.value !== null && !Array.isArray(body.value)) {
    return body.value as Record<string, unknown>;
  }
  const problem = body.kind === 'bad' ? 'is not valid JSON' : 'must be a JSON object';
  throw new ApiError(400, 'bad_json', `Request body ${problem}`);
}

/** Path ids are positive decimal integers; anything else names no resource. */
export function parseId(segment: string | undefined, what: string): number {
  const id = segment !== undefined && /^[1-9][0-9]{0,15}$/.test(segment) ? Number(segment) : NaN;
  if (!Number.isSafeInteger(id)) throw new ApiError(404, 'not_found', `${what} ${segment} not found`);
  return id;
}

function positiveInt(raw: string | null): number | undefined {
  if (raw === null || !/^[0-9]{1,15}$/.test(raw.trim())) return undefined;
  const value = Number(raw.trim());
  return value >= 1 ? value : undefined;
}

/** Lenient on purpose: bad paging input falls back to defaults rather than failing the call. */
export function parsePaging(query: URLSearchParams): { page: number; per_page: number; range: Range } {
  const page = positiveInt(query.get('page')) ?? 1;
  const per_page = Math.min(positiveInt(query.get('per_page')) ?? DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return { page, per_page, range: { offset: (page - 1) * per_page, limit: per_page } };
}

/** An empty filter value means "no filter", matching how form-built query strings look. */
export function filterParam(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === '' ? undefined : value;
}
