/**
 * The operations of an OpenAPI document, found by method and concrete path: "/api/v2/users/901" is
 * "/api/v2/users/{user_id}" GET. A template with more literal text wins ("/users/search" over
 * "/users/{id}"); a segment may mix text and a variable ("/users/{id}.json").
 */
import type { Json } from './document.ts';
import { isObject } from './schemas.ts';

export interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
  style?: string;
  explode?: boolean;
}

export interface DocOperation {
  method: string;
  /** The document's path template. */
  template: string;
  operation: Json;
  /** The path item's parameters overridden by the operation's (same name and place). */
  parameters: Parameter[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function parameterList(list: unknown): Parameter[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((raw) => ({
    name: String(raw.name),
    in: String(raw.in),
    required: raw.required === true,
    schema: raw.schema,
    ...(typeof raw.style === 'string' ? { style: raw.style } : {}),
    ...(typeof raw.explode === 'boolean' ? { explode: raw.explode } : {}),
  }));
}

function templateRegex(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

export class OperationIndex {
  readonly #routes: { template: string; regex: RegExp; literal: number; item: Json }[];

  constructor(doc: Json) {
    const paths = isObject(doc.paths) ? doc.paths : {};
    this.#routes = Object.entries(paths)
      .filter(([, item]) => isObject(item))
      .map(([template, item]) => ({
        template,
        regex: templateRegex(template),
        literal: template.replace(/\{[^}]+\}/g, '').length,
        item: item as Json,
      }))
      .sort((a, b) => b.literal - a.literal);
  }

  /** The path templates that match a concrete path, best first. */
  templates(path: string): string[] {
    return this.#routes.filter((route) => route.regex.test(path)).map((route) => route.template);
  }

  find(method: string, path: string): DocOperation | undefined {
    const lower = method.toLowerCase();
    for (const route of this.#routes) {
      if (!route.regex.test(path)) continue;
      const operation = route.item[lower];
      if (!isObject(operation)) continue;
      const own = parameterList(operation.parameters);
      const shared = parameterList(route.item.parameters).filter(
        (parameter) => !own.some((mine) => mine.name === parameter.name && mine.in === parameter.in),
      );
      return { method: lower, template: route.template, operation, parameters: [...shared, ...own] };
    }
    return undefined;
  }

  /** Methods the document has for a concrete path (for "exists, but not with this method"). */
  methods(path: string): string[] {
    const route = this.#routes.find((candidate) => candidate.regex.test(path));
    return route ? METHODS.filter((method) => isObject(route.item[method])).map((method) => method.toUpperCase()) : [];
  }
}
