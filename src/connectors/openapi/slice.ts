/**
 * A slice of a vendor's OpenAPI document: only the routes a connector calls (only their methods) and the
 * components those reach through $ref, so a connector can keep the part of a large description it is
 * checked against beside itself, with its source and licence named.
 */
import type { Json } from './document.ts';
import { isObject } from './schemas.ts';

export interface Route {
  method: string;
  template: string;
}

function refsIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/')) found.add(child);
      else refsIn(child, found);
    }
  }
}

function pointer(doc: Json, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (current, part) => (isObject(current) ? current[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined),
      doc,
    );
}

/** Several documents (Zendesk publishes one per area) as one: paths and components merged. */
export function mergeDocuments(docs: Json[]): Json {
  const [first, ...rest] = docs;
  const merged: Json = structuredClone(first ?? {});
  for (const doc of rest) {
    merged.paths = { ...(merged.paths as Json), ...(doc.paths as Json) };
    const components = (merged.components ?? {}) as Record<string, Json>;
    for (const [kind, entries] of Object.entries((doc.components ?? {}) as Record<string, Json>))
      components[kind] = { ...components[kind], ...entries };
    merged.components = components;
  }
  return merged;
}

export function sliceDocument(doc: Json, routes: readonly Route[]): Json {
  const paths: Json = {};
  for (const { method, template } of routes) {
    const item = (doc.paths as Json | undefined)?.[template];
    if (!isObject(item)) continue;
    const slice =
      (paths[template] as Json | undefined) ??
      Object.fromEntries(
        Object.entries(item).filter(
          ([key]) => !['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(key),
        ),
      );
    slice[method.toLowerCase()] = item[method.toLowerCase()];
    paths[template] = slice;
  }
  const components: Record<string, Json> = {};
  const pending = new Set<string>();
  refsIn(paths, pending);
  const done = new Set<string>();
  while (pending.size) {
    const [ref] = pending;
    pending.delete(ref!);
    if (done.has(ref!)) continue;
    done.add(ref!);
    const parts = ref!.slice(2).split('/');
    if (parts[0] !== 'components' || parts.length !== 3) continue;
    const target = pointer(doc, ref!);
    if (target === undefined) continue;
    (components[parts[1]!] ??= {})[parts[2]!.replace(/~1/g, '/').replace(/~0/g, '~')] = target;
    refsIn(target, pending);
  }
  const sorted = Object.fromEntries(
    Object.entries(components)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, entries]) => [
        kind,
        Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b))),
      ]),
  );
  const sortedPaths = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: doc.openapi,
    info: doc.info,
    ...(doc.servers ? { servers: doc.servers } : {}),
    paths: sortedPaths,
    ...(Object.keys(sorted).length ? { components: sorted } : {}),
  };
}
