/**
 * /ServiceProviderConfig, /ResourceTypes and /Schemas for one app, computed from what its connector
 * supports and what the app declares: only the resource types it provisions; in the core and enterprise
 * schemas only the attributes the app holds (mapped by the connector or kept in a custom field); declared
 * extension schemas whole, since they were declared for this app.
 */
import type { AppResourceTypes } from '../../scim/schema/extensions.ts';
import { MAX_PAGE_SIZE } from '../../scim/messages/list-response.ts';
import { findAttribute, splitUrn } from '../../scim/schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ResourceTypeName, SchemaDef } from '../../scim/schema/types.ts';
import { URN } from '../../scim/schema/urns.ts';

/** What discovery needs to know of one app. */
export interface DiscoverySource {
  resourceTypes: AppResourceTypes;
  /** SCIM attributes the app holds, per resource type it provisions (absent: not provisioned). */
  attributes: Partial<Record<ResourceTypeName, readonly string[]>>;
}

type Json = Record<string, unknown>;

export function serviceProviderConfig(baseUrl: string): Json {
  return {
    schemas: [URN.serviceProviderConfig],
    documentationUri: 'https://github.com/scim-gateway/scim-gateway#readme',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_PAGE_SIZE },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A bearer token configured for this app in the gateway (Entra: Secret Token).',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}

function supportedTypes(source: DiscoverySource): ResourceTypeDef[] {
  return (['User', 'Group'] as const)
    .filter((kind) => source.attributes[kind])
    .map((kind) => source.resourceTypes[kind]);
}

export function resourceTypeResource(type: ResourceTypeDef, baseUrl: string): Json {
  return {
    schemas: [URN.resourceType],
    id: type.name,
    name: type.name,
    endpoint: type.endpoint,
    description: type.description,
    schema: type.schema.id,
    ...(type.extensions.length
      ? { schemaExtensions: type.extensions.map((extension) => ({ schema: extension.id, required: false })) }
      : {}),
    meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/${type.name}` },
  };
}

export function resourceTypeList(source: DiscoverySource, baseUrl: string): Json[] {
  return supportedTypes(source).map((type) => resourceTypeResource(type, baseUrl));
}

/** Keeps the attributes (and sub-attributes) the connector declares; "emails" keeps all of emails. */
function filterSchema(schema: SchemaDef, declared: readonly string[]): SchemaDef | undefined {
  const picked = new Map<string, Set<string> | 'all'>();
  for (const path of declared) {
    const [name, sub] = path.replace(/\[.*?\]/g, '').split('.');
    const attribute = findAttribute(schema.attributes, name ?? '');
    if (!attribute) continue;
    const current = picked.get(attribute.name);
    if (!sub || current === 'all') picked.set(attribute.name, 'all');
    else picked.set(attribute.name, new Set([...(current ?? []), sub.toLowerCase()]));
  }
  const attributes: AttributeDef[] = [];
  for (const attribute of schema.attributes) {
    const choice = picked.get(attribute.name);
    if (!choice) continue;
    attributes.push(
      choice === 'all'
        ? attribute
        : {
            ...attribute,
            subAttributes: attribute.subAttributes?.filter((sub) => choice.has(sub.name.toLowerCase())) ?? [],
          },
    );
  }
  return attributes.length ? { ...schema, attributes } : undefined;
}

export function schemaList(source: DiscoverySource, baseUrl: string): Json[] {
  const out: Json[] = [];
  for (const type of supportedTypes(source)) {
    const held = source.attributes[type.name] ?? [];
    const core = held
      .filter((path) => !/^urn:/i.test(path) || splitUrn(type, path)?.schema === type.schema)
      .map((path) => splitUrn(type, path)?.rest ?? path);
    const coreSchema = filterSchema(type.schema, core);
    if (coreSchema) out.push(schemaResource(coreSchema, baseUrl));
    for (const extension of type.extensions) {
      if (extension.id !== URN.enterpriseUser) {
        out.push(schemaResource(extension, baseUrl));
        continue;
      }
      const own = held
        .map((path) => splitUrn(type, path))
        .filter((split) => split?.schema === extension)
        .map((split) => split!.rest);
      const filtered = filterSchema(extension, own);
      if (filtered) out.push(schemaResource(filtered, baseUrl));
    }
  }
  return out;
}

function schemaResource(schema: SchemaDef, baseUrl: string): Json {
  return {
    schemas: [URN.schema],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${schema.id}` },
  };
}
