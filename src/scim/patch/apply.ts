/**
 * RFC 7644 §3.5.2 PATCH, with every form Microsoft Entra sends (entra-profile.md §2.6):
 * op in any case; "True"/"False" strings; no-path values whose keys are dotted or URN paths; a replace
 * on a filtered path whose element does not exist yet creates it (Entra's `emails[type eq "work"].value`);
 * the manager as a bare string; `remove` on a multi-valued attribute with a `value` list meaning "only
 * these"; `"$ref": null` in member values. Operations apply in order and atomically: the input resource
 * is never modified, and any failing operation throws before anything is returned.
 */
import { copyJson } from '../resource/copy.ts';
import { ScimRequestError } from '../../errors.ts';
import { parsePatchPath } from '../path/parse-path.ts';
import { resolvePath } from '../schema/canonical.ts';
import { findAttribute, keyIn } from '../schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { extensionSchemaId, isObject, normalizeValue, storedName, type JsonObject } from '../resource/normalize.ts';
import { deepEqual } from '../resource/equal.ts';
import { applyMultiValued } from './multi-valued.ts';
import type { PatchOperation } from './request.ts';
import { holderOf, tidy, type Target } from './target.ts';

export { MAX_PATCH_OPERATIONS, parsePatchRequest, type PatchOpName, type PatchOperation } from './request.ts';

export interface PatchResult {
  resource: ScimResource;
  /** Canonical top-level attribute names whose value changed (extension attributes as "urn:…:name"). */
  changed: string[];
}

export function applyPatch(
  resourceType: ResourceTypeDef,
  resource: ScimResource,
  operations: PatchOperation[],
): PatchResult {
  const working = copyJson(resource);
  operations.forEach((operation, index) => applyOne(resourceType, working, operation, `Operations[${index}]`));
  let changed: string[] | undefined;
  return {
    resource: working,
    // Worked out when first asked: the PATCH handler compares what it writes itself, after member changes.
    get changed() {
      return (changed ??= changedAttributes(resourceType, resource, working));
    },
  };
}

export function changedAttributes(resourceType: ResourceTypeDef, before: ScimResource, after: ScimResource): string[] {
  const changed: string[] = [];
  const compare = (holderBefore: unknown, holderAfter: unknown, prefix: string) => {
    const a = isObject(holderBefore) ? holderBefore : {};
    const b = isObject(holderAfter) ? holderAfter : {};
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (/^urn:/i.test(key)) continue;
      if (!deepEqual(a[key], b[key])) changed.push(prefix + key);
    }
  };
  compare(before, after, '');
  // Declared extensions, and extensions nobody declared that either side holds.
  const extensions = new Set(
    [...resourceType.extensions.map((extension) => extension.id), ...Object.keys(before), ...Object.keys(after)].filter(
      (key) => /^urn:/i.test(key),
    ),
  );
  for (const id of extensions) compare(before[id], after[id], `${id}:`);
  return changed;
}

function applyOne(
  resourceType: ResourceTypeDef,
  resource: ScimResource,
  operation: PatchOperation,
  where: string,
): void {
  if (operation.path === undefined) {
    if (operation.op === 'remove') throw new ScimRequestError('noTarget', `${where}: "remove" needs a "path"`);
    applyValueObject(resourceType, resource, operation, where);
    return;
  }
  const parsed = parsePatchPath(operation.path);
  const text =
    [parsed.path.uri, parsed.path.attr].filter(Boolean).join(':') + (parsed.path.sub ? `.${parsed.path.sub}` : '');
  const resolved = resolvePath(resourceType, text);
  if (!resolved)
    throw new ScimRequestError(
      'invalidPath',
      `${where}: "${operation.path}" is not an attribute of ${resourceType.name}`,
    );
  if (!resolved.attribute) {
    // The whole extension: {"op":"replace","path":"urn:…:enterprise:2.0:User","value":{…}}
    if (operation.op === 'remove') {
      delete resource[keyIn(resource, resolved.schema.id)];
      return;
    }
    if (!isObject(operation.value))
      throw new ScimRequestError('invalidValue', `${where}: the value for "${operation.path}" must be an object`);
    const prefixed: JsonObject = {};
    for (const [key, value] of Object.entries(operation.value)) prefixed[`${resolved.schema.id}:${key}`] = value;
    applyValueObject(resourceType, resource, { op: operation.op, value: prefixed }, where);
    return;
  }
  const subName = parsed.sub ?? resolved.sub?.name;
  const sub = parsed.sub ? findAttribute(resolved.attribute.subAttributes, parsed.sub) : resolved.sub;
  if (subName !== undefined && !sub) {
    throw new ScimRequestError(
      'invalidPath',
      `${where}: "${resolved.attribute.name}" has no sub-attribute "${subName}"`,
    );
  }
  if (parsed.filter && resolved.attribute.adHoc) {
    throw new ScimRequestError(
      'invalidPath',
      `${where}: "${operation.path}" filters "${resolved.attribute.name}", which no schema of this app declares; declare it as a multi-valued complex attribute to use value filters`,
    );
  }
  if (parsed.filter && !resolved.attribute.multiValued) {
    throw new ScimRequestError(
      'invalidPath',
      `${where}: "${resolved.attribute.name}" is single-valued and cannot take a filter`,
    );
  }
  // Checked after the sub-attribute is known: "emails[type eq \"work\"].display" names a read-only one.
  checkMutability(resolved.attribute, sub, operation, where);
  const target = { resourceType, resolved, attribute: resolved.attribute, filter: parsed.filter, sub, where };
  if (resolved.attribute.multiValued) applyMultiValued(resource, operation, target);
  else applySingleValued(resource, operation, target);
}

function isWritable(attribute: AttributeDef, sub: AttributeDef | undefined): boolean {
  return attribute.mutability !== 'readOnly' && sub?.mutability !== 'readOnly';
}

function checkMutability(
  attribute: AttributeDef,
  sub: AttributeDef | undefined,
  operation: PatchOperation,
  where: string,
): void {
  if (!isWritable(attribute, sub)) {
    throw new ScimRequestError(
      'mutability',
      `${where}: "${sub ? `${attribute.name}.${sub.name}` : attribute.name}" is read-only`,
    );
  }
  if (operation.op === 'remove' && attribute.required && !sub) {
    throw new ScimRequestError('mutability', `${where}: "${attribute.name}" is required and cannot be removed`);
  }
}

/**
 * A no-path add/replace: each key of the value object is an attribute path (plain, dotted, URN-qualified,
 * or even filtered) and is applied exactly as an operation with that path, so the no-path and path forms
 * of one change always agree. Unknown and read-only keys are dropped, as in a POST body.
 */
function applyValueObject(
  resourceType: ResourceTypeDef,
  resource: ScimResource,
  operation: PatchOperation,
  where: string,
): void {
  if (!isObject(operation.value)) {
    throw new ScimRequestError('invalidValue', `${where}: without "path", "value" must be an object of attributes`);
  }
  for (const [rawKey, value] of Object.entries(operation.value)) {
    const key = extensionSchemaId(resourceType, rawKey) ?? rawKey;
    const filtered = key.includes('[');
    const resolved = filtered ? undefined : resolvePath(resourceType, key);
    if (!filtered && (!resolved || (resolved.attribute && !isWritable(resolved.attribute, resolved.sub)))) continue;
    if (value === null || value === '') {
      // Microsoft's validator clears attributes with "" and null: a remove of that path (a whole
      // extension given as null is left alone, as in a POST body).
      if (filtered || resolved?.attribute) applyOne(resourceType, resource, { op: 'remove', path: key }, where);
      continue;
    }
    applyOne(resourceType, resource, { op: operation.op, path: key, value }, where);
  }
}

/** True when the object names a "value" sub-attribute, in any case: it then identifies a reference. */
function hasValueKey(object: JsonObject): boolean {
  return Object.keys(object).some((key) => key.toLowerCase() === 'value');
}

function applySingleValued(resource: ScimResource, operation: PatchOperation, target: Target): void {
  const { attribute, sub, where } = target;
  const holder = holderOf(resource, target, operation.op !== 'remove');
  if (!holder) return;
  const name = storedName(holder, target.resolved);
  if (sub) {
    const parent = isObject(holder[name]) ? { ...holder[name] } : {};
    const value = operation.op === 'remove' ? undefined : normalizeValue(sub, operation.value, where);
    if (value === undefined) delete parent[sub.name];
    else parent[sub.name] = value;
    holder[name] = parent;
  } else if (
    operation.op !== 'remove' &&
    attribute.type === 'complex' &&
    isObject(operation.value) &&
    !hasValueKey(operation.value)
  ) {
    // RFC 7644 §3.5.2.3: only the sub-attributes given change; one given as null or "" is cleared.
    const parent = isObject(holder[name]) ? { ...holder[name] } : {};
    for (const [key, raw] of Object.entries(operation.value)) {
      const subDef = findAttribute(attribute.subAttributes, key);
      if (!subDef) continue;
      const value = normalizeValue(subDef, raw, where);
      if (value === undefined) delete parent[subDef.name];
      else parent[subDef.name] = value;
    }
    holder[name] = parent;
  } else {
    // A simple value, or a reference such as the manager (identified by its "value"): replaced whole.
    const value = operation.op === 'remove' ? undefined : normalizeValue(attribute, operation.value, where);
    if (value === undefined) delete holder[name];
    else holder[name] = value;
  }
  tidy(resource, target);
}
