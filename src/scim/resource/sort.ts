/**
 * RFC 7644 §3.4.2.3 sorting: by one attribute path, ascending by default; a multi-valued attribute sorts
 * by its primary value (else the first); strings compare case-insensitively unless the attribute is
 * caseExact; resources without a value sort last ascending and first descending.
 */
import { resolveAttribute } from '../schema/resolve.ts';
import type { ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { isObject } from './normalize.ts';

export type SortOrder = 'ascending' | 'descending';

export function parseSortOrder(value: unknown): SortOrder {
  return typeof value === 'string' && value.toLowerCase() === 'descending' ? 'descending' : 'ascending';
}

function sortValue(resourceType: ResourceTypeDef, resource: ScimResource, path: string): string | number | undefined {
  const resolved = resolveAttribute(resourceType, path);
  if (!resolved?.attribute) return undefined;
  const holder = resolved.extension ? resource[resolved.schema.id] : resource;
  if (!isObject(holder)) return undefined;
  let value = holder[resolved.attribute.name];
  if (Array.isArray(value)) value = value.find((item) => isObject(item) && item.primary === true) ?? value[0];
  if (isObject(value)) value = value[resolved.sub?.name ?? 'value'];
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const leaf = resolved.sub ?? resolved.attribute;
  if (leaf.type === 'dateTime') {
    // NaN compares false both ways and would make the order depend on the sort algorithm: treat as missing.
    const time = Date.parse(value);
    return Number.isNaN(time) ? undefined : time;
  }
  return leaf.caseExact ? value : value.toLowerCase();
}

/** Sorts in place and returns the array. Unknown sortBy attributes leave the order as it was. */
export function sortResources(
  resourceType: ResourceTypeDef,
  resources: ScimResource[],
  sortBy: string,
  order: SortOrder,
): ScimResource[] {
  if (!resolveAttribute(resourceType, sortBy)) return resources;
  const keyed = resources.map((resource, index) => ({
    resource,
    index,
    key: sortValue(resourceType, resource, sortBy),
  }));
  const direction = order === 'descending' ? -1 : 1;
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) {
      if (a.key === b.key) return a.index - b.index;
      return (a.key === undefined ? 1 : -1) * direction;
    }
    if (a.key < b.key) return -direction;
    if (a.key > b.key) return direction;
    return a.index - b.index;
  });
  keyed.forEach((entry, index) => (resources[index] = entry.resource));
  return resources;
}
