/** A resource view as SCIM JSON: schemas, id, attributes, meta (with location and version), projected. */
import { versionOf } from '../core/provisioning.ts';
import type { ResourceView } from '../core/views.ts';
import type { ResourceKind } from '../core/id-map.ts';
import { resourceTypes } from '../scim/schema/core-schemas.ts';
import { projectResource, type Projection } from '../scim/resource/project.ts';
import type { ScimResource } from '../scim/schema/types.ts';

export function location(baseUrl: string, kind: ResourceKind, id: string): string {
  return `${baseUrl}${resourceTypes[kind].endpoint}/${encodeURIComponent(id)}`;
}

export function renderResource(kind: ResourceKind, view: ResourceView, baseUrl: string, projection: Projection = {}): ScimResource {
  const resourceType = resourceTypes[kind];
  const { externalId, ...rest } = view.data;
  const schemas = [resourceType.schema.id, ...resourceType.extensions.filter((extension) => rest[extension.id] !== undefined).map((extension) => extension.id)];
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
