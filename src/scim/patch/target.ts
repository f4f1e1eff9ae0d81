/** What one PATCH operation with a path acts on, and where that attribute lives in the resource. */
import type { Filter } from '../filter/ast.ts';
import { isEmpty, storedName, type JsonObject } from '../resource/normalize.ts';
import { keyIn, type ResolvedAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../schema/types.ts';

export interface Target {
  resourceType: ResourceTypeDef;
  resolved: ResolvedAttribute;
  attribute: AttributeDef;
  filter: Filter | undefined;
  sub: AttributeDef | undefined;
  /** "Operations[3]", for error messages. */
  where: string;
}

/** The resource itself, or its extension object (created on demand for add/replace). */
export function holderOf(resource: ScimResource, target: Target, create: boolean): JsonObject | undefined {
  if (!target.resolved.extension) return resource;
  const id = keyIn(resource, target.resolved.schema.id);
  const existing = resource[id];
  if (typeof existing === 'object' && existing !== null && !Array.isArray(existing)) return existing as JsonObject;
  if (!create) return undefined;
  const holder: JsonObject = {};
  resource[id] = holder;
  return holder;
}

/** Unassigned values are absent, not empty: drop an emptied attribute, and an emptied extension object. */
export function tidy(resource: ScimResource, target: Target): void {
  const holder = holderOf(resource, target, false);
  if (!holder) return;
  const name = storedName(holder, target.resolved);
  if (isEmpty(holder[name])) delete holder[name];
  if (target.resolved.extension && Object.keys(holder).length === 0)
    delete resource[keyIn(resource, target.resolved.schema.id)];
}
