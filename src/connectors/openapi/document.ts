/**
 * A vendor's OpenAPI document, loaded for checking: from a path relative to the connector folder (a slice
 * kept beside the connector) or from a dependency (`npm:@octokit/openapi/generated/api.github.com.json`).
 * Kept twice: with its $refs, for ajv (which resolves them itself, cycles included), and dereferenced,
 * for the walkers that read schemas (cycles become object cycles; walkers guard against them).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { dereference } from '@apidevtools/json-schema-ref-parser';
import { parse } from 'yaml';
import { ConfigError } from '../../errors.ts';

export type Json = Record<string, unknown>;

export interface OpenApiDocument {
  /** The file read. */
  file: string;
  /** "3.0" or "3.1": which JSON Schema dialect its schemas are written in. */
  version: '3.0' | '3.1';
  /** As written ($refs kept). */
  raw: Json;
  /** With every $ref replaced by what it points to. */
  deref: Json;
}

const isUrl = (reference: string) => /^https?:\/\//i.test(reference);

/** Resolves the document reference of a connector's openapi block to a file (a URL stays a URL). */
export function documentFile(reference: string, connectorDir: string): string {
  if (isUrl(reference)) return reference;
  if (reference.startsWith('npm:')) {
    const specifier = reference.slice(4);
    try {
      return createRequire(join(connectorDir, 'connector.yaml')).resolve(specifier);
    } catch {
      // Packages whose exports hide data files: resolve the package root, then the file below it.
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
      const root = createRequire(join(process.cwd(), 'package.json'))
        .resolve(`${name}/package.json`)
        .replace(/package\.json$/, '');
      return join(root, specifier.slice(name.length + 1));
    }
  }
  return isAbsolute(reference) ? reference : resolve(connectorDir, reference);
}

/**
 * Incomplete documents (Zendesk's published split) point at components they do not have; such a reference
 * stands for "any value" rather than failing the whole document.
 */
function withoutDanglingRefs(doc: Json): Json {
  const resolves = (ref: string) =>
    ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (current, part) =>
          current && typeof current === 'object'
            ? (current as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')]
            : undefined,
        doc,
      ) !== undefined;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!value || typeof value !== 'object') return value;
    const node = value as Json;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/') && !resolves(node.$ref))
      return { description: `(the document refers to ${node.$ref}, which it does not define)` };
    return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, visit(child)]));
  };
  return visit(doc) as Json;
}

/** A published document (the demo app's /openapi.json, a vendor's URL), fetched once for a draft or a check. */
async function download(url: string): Promise<string> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(30_000),
    headers: { accept: 'application/json, application/yaml;q=0.9, */*;q=0.5' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/** JSON is YAML, but the JSON parser is far faster on the multi-megabyte documents vendors publish. */
function parseText(text: string): Json {
  if (/^\s*\{/.test(text)) {
    try {
      return JSON.parse(text) as Json;
    } catch {
      // flow-style YAML
    }
  }
  return parse(text, { maxAliasCount: -1 }) as Json;
}

/** Loads a document from a file or an http(s) URL. */
export async function loadOpenApi(file: string): Promise<OpenApiDocument> {
  let raw: Json;
  try {
    const text = isUrl(file) ? await download(file) : readFileSync(file, 'utf8');
    raw = parseText(text);
  } catch (error) {
    throw new ConfigError([{ file, message: `Cannot read the OpenAPI document: ${(error as Error).message}` }]);
  }
  raw = withoutDanglingRefs(raw);
  const declared = typeof raw.openapi === 'string' ? raw.openapi : '';
  if (!/^3\.[01]\./.test(declared))
    throw new ConfigError([
      { file, message: `Not an OpenAPI 3.0 or 3.1 document (openapi: ${JSON.stringify(raw.openapi)})` },
    ]);
  const deref = await dereference<Json>(structuredClone(raw), { dereference: { circular: true } });
  return { file, version: declared.startsWith('3.1') ? '3.1' : '3.0', raw, deref };
}
