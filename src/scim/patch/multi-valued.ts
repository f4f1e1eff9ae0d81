/**
 * PATCH on multi-valued attributes (emails, addresses, members, roles…): RFC 7644 §3.5.2.1–3 plus
 * Entra's forms. A replace on a filtered path whose element does not exist yet creates it (Entra sends
 * `emails[type eq "work"].value` for users that have no emails); `remove` with a `value` list removes
 * only the listed values (Entra's member removal).
 */
import { ScimRequestError } from '../../errors.ts';
import type { Filter } from '../filter/ast.ts';
import { compileFilter } from '../filter/evaluate.ts';
import { dedupePrimary, isEmpty, isObject, normalizeValue, type JsonObject } from '../resource/normalize.ts';
import { deepEqual } from '../resource/equal.ts';
import type { ScimResource } from '../schema/types.ts';
import type { PatchOperation } from './request.ts';
import { holderOf, tidy, type Target } from './target.ts';

export function applyMultiValued(resource: ScimResource, operation: PatchOperation, target: Target): void {
  const { attribute, filter, sub, where } = target;
  const holder = holderOf(resource, target, operation.op !== 'remove');
  if (!holder) return;
  const name = attribute.name;
  const current: unknown[] = Array.isArray(holder[name]) ? [...(holder[name] as unknown[])] : [];
  const matches = filter ? elementFilter(target, filter) : () => true;

  if (operation.op === 'remove') {
    if (sub) {
      holder[name] = current
        .map((element) => (matches(element) && isObject(element) ? without(element, sub.name) : element))
        .filter((e) => !isEmpty(e));
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

  // The elements this operation writes: a "primary": true among them wins over an older primary.
  const written = new Set<number>();
  if (sub) {
    const value = normalizeValue(sub, operation.value, where);
    const updated = current.map((element, index) => {
      if (!matches(element) || !isObject(element)) return element;
      written.add(index);
      return value === undefined ? without(element, sub.name) : { ...element, [sub.name]: value };
    });
    if (!written.size && value !== undefined)
      written.add(updated.push({ ...seedFromFilter(target), [sub.name]: value }) - 1);
    holder[name] = dedupePrimary(updated, written).filter((e) => !isEmpty(e));
    tidy(resource, target);
    return;
  }

  const values = normalizeValue(attribute, operation.value, where);
  const incoming: unknown[] = Array.isArray(values) ? values : [];
  if (filter) {
    // Replace/add on "addresses[type eq \"work\"]": merge into each matching element, or create one.
    const first = incoming[0];
    const updated = current.map((element, index) => {
      if (!matches(element) || first === undefined) return element;
      written.add(index);
      return isObject(element) && isObject(first) ? { ...element, ...first } : first;
    });
    if (!written.size && first !== undefined)
      written.add(updated.push(isObject(first) ? { ...seedFromFilter(target), ...first } : first) - 1);
    holder[name] = dedupePrimary(updated, written);
  } else if (operation.op === 'add') {
    holder[name] = appendUnique(current, incoming);
  } else {
    holder[name] = incoming;
  }
  tidy(resource, target);
}

/**
 * RFC 7644 §3.5.2.1: adding a value already present changes nothing. Elements with a "value" are the
 * same when their values are; the addition's other sub-attributes are merged into the existing element.
 */
function appendUnique(current: unknown[], additions: unknown[]): unknown[] {
  const out = [...current];
  const written = new Set<number>();
  for (const item of additions) {
    const key = isObject(item) && 'value' in item ? item.value : undefined;
    const index = out.findIndex((existing) =>
      key !== undefined && isObject(existing) ? existing.value === key : deepEqual(existing, item),
    );
    if (index === -1) {
      written.add(out.push(item) - 1);
    } else {
      written.add(index);
      if (isObject(item) && isObject(out[index])) out[index] = { ...out[index], ...item };
    }
  }
  return dedupePrimary(out, written);
}

function without(element: JsonObject, key: string): JsonObject {
  const copy = { ...element };
  delete copy[key];
  return copy;
}

function sameValue(element: unknown, gone: unknown): boolean {
  if (isObject(element) && isObject(gone))
    return gone.value !== undefined ? element.value === gone.value : deepEqual(element, gone);
  return deepEqual(element, gone);
}

/**
 * Compiles the value filter once per operation (not per element: groups can have many members), with
 * the schema's matching rules. Unknown sub-attributes inside "[…]" are a bad path, even when there is no
 * element to test, so a typo never silently creates an element.
 */
function elementFilter(target: Target, filter: Filter): (element: unknown) => boolean {
  const { resourceType, resolved, attribute } = target;
  let predicate: (resource: ScimResource) => boolean;
  try {
    predicate = compileFilter(
      {
        kind: 'valuePath',
        path: resolved.extension ? { uri: resolved.schema.id, attr: attribute.name } : { attr: attribute.name },
        filter,
      },
      resourceType,
    );
  } catch (error) {
    if (error instanceof ScimRequestError && error.scimType === 'invalidFilter') {
      throw new ScimRequestError('invalidPath', `${target.where}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return (element) =>
    predicate(
      resolved.extension ? { [resolved.schema.id]: { [attribute.name]: [element] } } : { [attribute.name]: [element] },
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
