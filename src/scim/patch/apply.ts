/**
 * RFC 7644 §3.5.2 PATCH, with every form Microsoft Entra sends (entra-profile.md §2.6):
 * op in any case; "True"/"False" strings; no-path values whose keys are dotted or URN paths; a replace
 * on a filtered path whose element does not exist yet creates it (Entra's `emails[type eq "work"].value`);
 * the manager as a bare string; `remove` on a multi-valued attribute with a `value` list meaning "only
 * these"; `"$ref": null` in member values. Operations apply in order and atomically: the input resource
 * is never modified, and any failing operation throws before anything is returned.
 */
import { ScimRequestError } from '../../errors.ts';
import type { Filter } from '../filter/ast.ts';
import { matchesFilter } from '../filter/evaluate.ts';
import { parsePatchPath } from '../path/parse-path.ts';
import { resolveAttribute, type ResolvedAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { URN } from '../schema/urns.ts';
import { dedupePrimary, isEmpty, isObject, normalizeResource, normalizeValue, type JsonObject } from '../resource/normalize.ts';
import { deepEqual } from '../resource/equal.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

export const MAX_PATCH_OPERATIONS = 1000;

/** Validates the PatchOp message envelope and returns its operations with lower-cased op names. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimRequestError('invalidSyntax', 'The PATCH body must be a JSON object');
  const schemas = lookup(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === URN.patchOp.toLowerCase())) {
    throw new ScimRequestError('invalidSyntax', `The PATCH body must list "${URN.patchOp}" in "schemas"`);
  }
  const operations = lookup(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimRequestError('invalidSyntax', 'The PATCH body must have a non-empty "Operations" array');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw new ScimRequestError('invalidSyntax', `A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations`);
  }
  return operations.map((raw, index) => {
    if (!isObject(raw)) throw new ScimRequestError('invalidSyntax', `Operations[${index}] must be an object`);
    const op = lookup(raw, 'op');
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw new ScimRequestError('invalidSyntax', `Operations[${index}].op must be "add", "replace" or "remove", got ${JSON.stringify(op)}`);
    }
    const path = lookup(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw new ScimRequestError('invalidPath', `Operations[${index}].path must be a string`);
    }
    const operation: PatchOperation = { op: name };
    if (typeof path === 'string' && path.trim() !== '') operation.path = path.trim();
    if (hasKey(raw, 'value')) operation.value = lookup(raw, 'value');
    return operation;
  });
}

/** Case-insensitive key lookup: clients send "Operations", "operations", "Op"… */
function lookup(object: JsonObject, key: string): unknown {
  if (key in object) return object[key];
  const lower = key.toLowerCase();
  for (const [candidate, value] of Object.entries(object)) if (candidate.toLowerCase() === lower) return value;
  return undefined;
}

function hasKey(object: JsonObject, key: string): boolean {
  return Object.keys(object).some((candidate) => candidate.toLowerCase() === key);
}

export interface PatchResult {
  resource: ScimResource;
  /** Canonical top-level attribute names whose value changed (extension attributes as "urn:…:name"). */
  changed: string[];
}

export function applyPatch(resourceType: ResourceTypeDef, resource: ScimResource, operations: PatchOperation[]): PatchResult {
  const working = structuredClone(resource);
  operations.forEach((operation, index) => applyOne(resourceType, working, operation, `Operations[${index}]`));
  return { resource: working, changed: changedAttributes(resourceType, resource, working) };
}

export function changedAttributes(resourceType: ResourceTypeDef, before: ScimResource, after: ScimResource): string[] {
  const changed: string[] = [];
  const compare = (holderBefore: unknown, holderAfter: unknown, prefix: string) => {
    const a = isObject(holderBefore) ? holderBefore : {};
    const b = isObject(holderAfter) ? holderAfter : {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (key.startsWith('urn:')) continue;
      if (!deepEqual(a[key], b[key])) changed.push(prefix + key);
    }
  };
  compare(before, after, '');
  for (const extension of resourceType.extensions) compare(before[extension.id], after[extension.id], `${extension.id}:`);
  return changed;
}

function applyOne(resourceType: ResourceTypeDef, resource: ScimResource, operation: PatchOperation, where: string): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw new ScimRequestError('noTarget', `${where}: "remove" needs a "path"`);
    applyValueObject(resourceType, resource, operation, where);
    return;
  }
  const parsed = parsePatchPath(operation.path);
  const text = [parsed.path.uri, parsed.path.attr].filter(Boolean).join(':') + (parsed.path.sub ? `.${parsed.path.sub}` : '');
  const resolved = resolveAttribute(resourceType, text);
  if (!resolved) throw new ScimRequestError('invalidPath', `${where}: "${operation.path}" is not an attribute of ${resourceType.name}`);
  if (!resolved.attribute) {
    // The whole extension: {"op":"replace","path":"urn:…:enterprise:2.0:User","value":{…}}
    if (operation.op === 'remove') {
      delete resource[resolved.schema.id];
      return;
    }
    if (!isObject(operation.value)) throw new ScimRequestError('invalidValue', `${where}: the value for "${operation.path}" must be an object`);
    const prefixed: JsonObject = {};
    for (const [key, value] of Object.entries(operation.value)) prefixed[`${resolved.schema.id}:${key}`] = value;
    applyValueObject(resourceType, resource, { op: operation.op, value: prefixed }, where);
    return;
  }
  checkMutability(resolved, operation, where);
  const sub = parsed.sub ?? resolved.sub?.name;
  const subDef = parsed.sub ? resolved.attribute.subAttributes?.find((s) => s.name.toLowerCase() === parsed.sub!.toLowerCase()) : resolved.sub;
  if (sub !== undefined && !subDef) {
    throw new ScimRequestError('invalidPath', `${where}: "${resolved.attribute.name}" has no sub-attribute "${sub}"`);
  }
  if (parsed.filter && !resolved.attribute.multiValued) {
    throw new ScimRequestError('invalidPath', `${where}: "${resolved.attribute.name}" is single-valued and cannot take a filter`);
  }
  const target = { resourceType, resolved, attribute: resolved.attribute, filter: parsed.filter, sub: subDef, where };
  if (resolved.attribute.multiValued) applyMultiValued(resource, operation, target);
  else applySingleValued(resource, operation, target);
}

interface Target {
  resourceType: ResourceTypeDef;
  resolved: ResolvedAttribute;
  attribute: AttributeDef;
  filter: Filter | undefined;
  sub: AttributeDef | undefined;
  where: string;
}

function checkMutability(resolved: ResolvedAttribute, operation: PatchOperation, where: string): void {
  const attribute = resolved.attribute!;
  if (attribute.mutability === 'readOnly' || resolved.sub?.mutability === 'readOnly') {
    throw new ScimRequestError('mutability', `${where}: "${attribute.name}" is read-only`);
  }
  if (operation.op === 'remove' && attribute.required && !resolved.sub) {
    throw new ScimRequestError('mutability', `${where}: "${attribute.name}" is required and cannot be removed`);
  }
}

/** A no-path add/replace: each key of the value object is an attribute path (plain, dotted or URN). */
function applyValueObject(resourceType: ResourceTypeDef, resource: ScimResource, operation: PatchOperation, where: string): void {
  if (!isObject(operation.value)) {
    throw new ScimRequestError('invalidValue', `${where}: without "path", "value" must be an object of attributes`);
  }
  for (const [key, value] of Object.entries(operation.value)) {
    if (value === null || value === '') {
      // Microsoft's validator clears attributes with "" and null; treat both as a remove of that path.
      if (resolveAttribute(resourceType, key)?.attribute) applyOne(resourceType, resource, { op: 'remove', path: key }, where);
      continue;
    }
    // Unknown and read-only keys are dropped here, as in a POST body.
    mergeNormalized(resource, normalizeResource(resourceType, { [key]: value }, where), operation.op);
  }
}

/** Merges a normalised fragment: add appends to multi-valued attributes, replace overwrites them. */
function mergeNormalized(target: JsonObject, fragment: JsonObject, op: PatchOpName): void {
  for (const [key, value] of Object.entries(fragment)) {
    const current = target[key];
    if (key.startsWith('urn:') && isObject(value)) {
      const holder = isObject(current) ? { ...current } : {};
      mergeNormalized(holder, value, op);
      target[key] = holder;
    } else if (Array.isArray(value)) {
      target[key] = op === 'add' && Array.isArray(current) ? appendUnique(current, value) : value;
    } else {
      target[key] = mergeComplex(current, value);
    }
  }
}

/**
 * A complex value is merged into the existing one (RFC 7644 §3.5.2.3: only the given sub-attributes are
 * replaced), except a reference such as the manager, which is identified by its "value" and replaced whole.
 */
function mergeComplex(current: unknown, value: unknown): unknown {
  if (isObject(value) && isObject(current) && !('value' in value)) return { ...current, ...value };
  return value;
}

function appendUnique(current: unknown[], additions: unknown[]): unknown[] {
  const out = [...current];
  for (const item of additions) {
    const key = isObject(item) && 'value' in item ? item.value : undefined;
    const index = out.findIndex((existing) =>
      key !== undefined && isObject(existing) ? existing.value === key : deepEqual(existing, item),
    );
    if (index === -1) out.push(item);
    else if (isObject(item) && isObject(out[index])) out[index] = { ...(out[index] as JsonObject), ...item };
  }
  return dedupePrimary(out);
}

function holderOf(resource: ScimResource, target: Target, create: boolean): JsonObject | undefined {
  if (!target.resolved.extension) return resource;
  const id = target.resolved.schema.id;
  if (isObject(resource[id])) return resource[id] as JsonObject;
  if (!create) return undefined;
  const holder: JsonObject = {};
  resource[id] = holder;
  return holder;
}

function tidy(resource: ScimResource, target: Target): void {
  const holder = holderOf(resource, target, false);
  if (!holder) return;
  const name = target.attribute.name;
  if (isEmpty(holder[name])) delete holder[name];
  if (target.resolved.extension && Object.keys(holder).length === 0) delete resource[target.resolved.schema.id];
}

function applySingleValued(resource: ScimResource, operation: PatchOperation, target: Target): void {
  const { attribute, sub, where } = target;
  const holder = holderOf(resource, target, operation.op !== 'remove');
  if (!holder) return;
  const name = attribute.name;
  if (sub) {
    const parent = isObject(holder[name]) ? { ...(holder[name] as JsonObject) } : {};
    const value = operation.op === 'remove' ? undefined : normalizeValue(sub, operation.value, where);
    if (value === undefined) delete parent[sub.name];
    else parent[sub.name] = value;
    holder[name] = parent;
  } else {
    const value = operation.op === 'remove' ? undefined : normalizeValue(attribute, operation.value, where);
    if (value === undefined) delete holder[name];
    else holder[name] = mergeComplex(holder[name], value);
  }
  tidy(resource, target);
}

function applyMultiValued(resource: ScimResource, operation: PatchOperation, target: Target): void {
  const { attribute, filter, sub, where } = target;
  const holder = holderOf(resource, target, operation.op !== 'remove');
  if (!holder) return;
  const name = attribute.name;
  const current: unknown[] = Array.isArray(holder[name]) ? [...(holder[name] as unknown[])] : [];
  const matches = (element: unknown) => (filter ? elementMatches(target, element, filter) : true);

  if (operation.op === 'remove') {
    if (sub) {
      holder[name] = current.map((element) => (matches(element) && isObject(element) ? without(element, sub.name) : element)).filter((e) => !isEmpty(e));
    } else if (filter) {
      holder[name] = current.filter((element) => !matches(element));
    } else if (operation.value !== undefined && operation.value !== null) {
      // Entra: {"op":"Remove","path":"members","value":[{"value":"id"}]} removes only the listed values.
      const listed = normalizeValue(attribute, operation.value, where);
      const drop = Array.isArray(listed) ? listed : [];
      holder[name] = current.filter((element) => !drop.some((gone) => sameValue(element, gone)));
    } else {
      delete holder[name];
    }
    tidy(resource, target);
    return;
  }

  if (sub) {
    const value = normalizeValue(sub, operation.value, where);
    let hit = false;
    const updated = current.map((element) => {
      if (!matches(element) || !isObject(element)) return element;
      hit = true;
      return value === undefined ? without(element, sub.name) : { ...element, [sub.name]: value };
    });
    if (!hit && value !== undefined) updated.push({ ...seedFromFilter(target), [sub.name]: value });
    holder[name] = dedupePrimary(updated.filter((e) => !isEmpty(e)));
    tidy(resource, target);
    return;
  }

  const values = normalizeValue(attribute, operation.value, where);
  const incoming = Array.isArray(values) ? values : [];
  if (filter) {
    // Replace/add on "addresses[type eq \"work\"]": merge into each matching element, or create one.
    let hit = false;
    const updated = current.map((element) => {
      if (!matches(element)) return element;
      hit = true;
      return isObject(element) && isObject(incoming[0]) ? { ...element, ...incoming[0] } : (incoming[0] ?? element);
    });
    if (!hit && incoming[0] !== undefined) updated.push(isObject(incoming[0]) ? { ...seedFromFilter(target), ...incoming[0] } : incoming[0]);
    holder[name] = dedupePrimary(updated);
  } else if (operation.op === 'add') {
    holder[name] = appendUnique(current, incoming);
  } else {
    holder[name] = incoming;
  }
  tidy(resource, target);
}

function without(element: JsonObject, key: string): JsonObject {
  const copy = { ...element };
  delete copy[key];
  return copy;
}

function sameValue(element: unknown, gone: unknown): boolean {
  if (isObject(element) && isObject(gone)) return gone.value !== undefined ? element.value === gone.value : deepEqual(element, gone);
  return deepEqual(element, gone);
}

/** Tests one element of a multi-valued attribute against a value filter, using the schema's rules. */
function elementMatches(target: Target, element: unknown, filter: Filter): boolean {
  const { resourceType, resolved, attribute } = target;
  const probe: ScimResource = resolved.extension
    ? { [resolved.schema.id]: { [attribute.name]: [element] } }
    : { [attribute.name]: [element] };
  return matchesFilter(
    { kind: 'valuePath', path: resolved.extension ? { uri: resolved.schema.id, attr: attribute.name } : { attr: attribute.name }, filter },
    probe,
    resourceType,
  );
}

/** The sub-attribute values a new element must carry to satisfy `type eq "work"` (and-ed eq terms only). */
function seedFromFilter(target: Target): JsonObject {
  const seed: JsonObject = {};
  const visit = (node: Filter | undefined): boolean => {
    if (!node) return true;
    if (node.kind === 'and') return visit(node.left) && visit(node.right);
    if (node.kind === 'compare' && node.op === 'eq' && !node.path.uri) {
      seed[node.path.sub ?? node.path.attr] = node.value;
      return true;
    }
    return false;
  };
  if (!visit(target.filter)) {
    throw new ScimRequestError(
      'noTarget',
      `${target.where}: no value of "${target.attribute.name}" matches the filter, and a new value can only be created for filters made of "eq" terms joined by "and"`,
    );
  }
  const normalized = normalizeValue(target.attribute, seed, target.where, true);
  return isObject(normalized) ? normalized : {};
}
