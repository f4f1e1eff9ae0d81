/** A resource view as SCIM JSON: schemas, id, attributes, meta (with location and version), projected. */
import { versionOf } from '../core/provisioning.ts';
import type { ResourceView } from '../core/views.ts';
import type { ResourceKind } from '../core/id-map.ts';
import { resourceTypes } from '../scim/schema/core-schemas.ts';
import { projectResource, type Projection } from '../scim/resource/project.ts';
import type { ResourceTypeDef, ScimResource } from '../scim/schema/types.ts';

export function location(baseUrl: string, kind: ResourceKind, id: string): string {
  return `${baseUrl}${resourceTypes[kind].endpoint}/${encodeURIComponent(id)}`;
}

/** `schemas` lists every extension the resource carries, declared or not (RFC 7643 §3). */
export function renderResource(
  resourceType: ResourceTypeDef,
  view: ResourceView,
  baseUrl: string,
  projection: Projection = {},
): ScimResource {
  const kind = resourceType.name;
  const { externalId, ...rest } = view.data;
  const schemas = [resourceType.schema.id, ...Object.keys(rest).filter((key) => /^urn:/i.test(key))];
  const resource: ScimResource = {
    schemas,
    id: view.id,
    ...(externalId !== undefined ? { externalId } : {}),
    ...rest,
    meta: {
      resourceType: kind,
      created: view.created,
      lastModified: view.lastModified,
      location: location(baseUrl, kind, view.id),
      version: versionOf(view),
    },
  };
  return projectResource(resourceType, resource, projection);
}
