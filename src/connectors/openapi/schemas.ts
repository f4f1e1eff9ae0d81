/**
 * OpenAPI schemas as the checks need them: compiled by ajv against the document as written (OpenAPI 3.0's
 * `nullable` turned into JSON Schema first; 3.1 is JSON Schema 2020-12 already), and walked for the
 * properties an object may have.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Json, OpenApiDocument } from './document.ts';

/** An array's entries, or none for anything else (a document's value of unknown shape). */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** A scalar of a document as text ("" for anything that is not a string, number or boolean). */
export function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAPI 3.0 schema objects as JSON Schema draft-07: `nullable: true` adds "null" to the type. */
function from30(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(from30);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) out[key] = from30(child);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...listOf(out.enum), null];
  }
  return out;
}

/** Follows a local "#/…" $ref in the document as written. */
export function follow(doc: Json, node: unknown, depth = 0): unknown {
  if (!isObject(node) || typeof node.$ref !== 'string' || depth > 20) return node;
  const target = node.$ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (current, part) => (isObject(current) ? current[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
      doc,
    );
  return follow(doc, target, depth + 1);
}

export class SchemaValidators {
  readonly #ajv: Ajv;
  readonly #components: unknown;
  readonly #cache = new Map<unknown, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    // Vendors' own formats ("user-id-with-max-length") are not errors: ajv ignores them, quietly.
    const options = {
      strict: false,
      allErrors: true,
      validateSchema: false,
      validateFormats: true,
      logger: false,
    } as const;
    this.#ajv = doc.version === '3.1' ? new Ajv2020(options) : new Ajv(options);
    (addFormats as unknown as (ajv: Ajv) => void)(this.#ajv);
    const components = doc.raw.components;
    this.#components = doc.version === '3.0' ? from30(components) : components;
    this.#version = doc.version;
  }

  readonly #version: '3.0' | '3.1';

  /** Validates `value` against a schema node of the document as written; returns readable problems. */
  problems(schema: unknown, value: unknown): string[] {
    let validate = this.#cache.get(schema);
    if (!validate) {
      const node = this.#version === '3.0' ? from30(schema) : schema;
      // The node's "#/components/…" references resolve against this wrapper's root.
      validate = this.#ajv.compile({ allOf: [node], components: this.#components });
      this.#cache.set(schema, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? [])
      .filter((error) => error.keyword !== 'allOf' && error.keyword !== 'if')
      .map(
        (error) =>
          `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'}${error.keyword === 'enum' ? `: ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}` : ''}`,
      );
  }
}

/** The named properties a (dereferenced) schema allows, merging allOf/anyOf/oneOf; undefined when open-ended. */
export function propertiesOf(schema: unknown, seen = new Set<unknown>()): Map<string, unknown> | undefined {
  if (!isObject(schema) || seen.has(schema)) return undefined;
  seen.add(schema);
  const out = new Map<string, unknown>();
  let known = false;
  if (isObject(schema.properties)) {
    known = true;
    for (const [name, child] of Object.entries(schema.properties)) out.set(name, child);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const part of list) {
      const inner = propertiesOf(part, seen);
      if (!inner) {
        if (key !== 'allOf') return undefined; // one branch allows anything
        continue;
      }
      known = true;
      for (const [name, child] of inner) if (!out.has(name)) out.set(name, child);
    }
  }
  if (!known) return undefined;
  // An explicit additionalProperties (true or a schema) or patternProperties make other names legal too.
  if (
    schema.additionalProperties === true ||
    isObject(schema.additionalProperties) ||
    isObject(schema.patternProperties)
  )
    return undefined;
  return out;
}

/** The schema of an array's items (also through allOf/anyOf/oneOf), or undefined. */
export function itemsOf(schema: unknown): unknown {
  if (!isObject(schema)) return undefined;
  if (isObject(schema.items)) return schema.items;
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const part of list) {
      const items = itemsOf(part);
      if (items) return items;
    }
  }
  return undefined;
}

/** True when the schema says (or lets) the value be an array. */
export function isArraySchema(schema: unknown): boolean {
  if (!isObject(schema)) return false;
  if (schema.type === 'array' || (Array.isArray(schema.type) && schema.type.includes('array'))) return true;
  return ['allOf', 'anyOf', 'oneOf'].some(
    (key) => Array.isArray(schema[key]) && (schema[key] as unknown[]).some(isArraySchema),
  );
}
