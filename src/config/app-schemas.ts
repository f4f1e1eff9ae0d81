/**
 * An app's SCIM schema: the connector's resource types and extensions plus what gateway.yaml adds for
 * that app (extension schemas, custom field mappings). Checked against the connector at start-up and on
 * reload, every problem reported with the app's config path.
 */
import type { CompiledConnector } from '../connectors/compiled.ts';
import type { CustomFieldMapping } from '../connectors/custom-fields.ts';
import type { ConfigIssue } from '../errors.ts';
import { canonicalName } from '../scim/schema/canonical.ts';
import { appResourceTypes, type AppResourceTypes, type ExtensionDeclaration } from '../scim/schema/extensions.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type { ResourceTypeName } from '../scim/schema/types.ts';
import type { AppConfig } from './schema.ts';

export interface AppSchema {
  resourceTypes: AppResourceTypes;
  customFields: Partial<Record<ResourceTypeName, CustomFieldMapping[]>>;
}

const KINDS = ['User', 'Group'] as const;

function declarations(
  connector: CompiledConnector,
  entry: AppConfig,
  kind: ResourceTypeName,
  where: string,
  issues: ConfigIssue[],
): ExtensionDeclaration[] {
  const own = connector.resources[kind]?.schemaExtensions ?? [];
  const added = entry.schemaExtensions?.[kind] ?? [];
  if (added.length && !connector.resources[kind]) {
    issues.push({
      file: where,
      path: `apps.${entry.id}.schemaExtensions.${kind}`,
      message: `The ${connector.id} connector does not provision ${kind}s`,
    });
  }
  const seenIds = new Set<string>();
  added.forEach((declaration, index) => {
    const at = `apps.${entry.id}.schemaExtensions.${kind}.${index}`;
    if (seenIds.has(declaration.id.toLowerCase()))
      issues.push({ file: where, path: `${at}.id`, message: `The schema ${declaration.id} is declared twice` });
    seenIds.add(declaration.id.toLowerCase());
    const base = own.find((candidate) => candidate.id.toLowerCase() === declaration.id.toLowerCase());
    for (const attribute of declaration.attributes) {
      if (base?.attributes.some((existing) => existing.name.toLowerCase() === attribute.name.toLowerCase())) {
        issues.push({
          file: where,
          path: `${at}.attributes`,
          message: `The ${connector.id} connector already declares ${declaration.id}:${attribute.name}`,
        });
      }
    }
  });
  return [...own, ...added];
}

function customFields(
  connector: CompiledConnector,
  entry: AppConfig,
  resourceTypes: AppResourceTypes,
  kind: ResourceTypeName,
  where: string,
  issues: ConfigIssue[],
): CustomFieldMapping[] {
  const given = entry.customFields?.[kind];
  if (!given) return [];
  const at = `apps.${entry.id}.customFields.${kind}`;
  if (!connector.mappings[kind]?.customFields) {
    issues.push({
      file: where,
      path: at,
      message: `The ${connector.id} connector does not say where ${kind} custom fields live (mappings.${kind}.customFields)`,
    });
    return [];
  }
  const out: CustomFieldMapping[] = [];
  const fields = new Set<string>();
  for (const [path, field] of Object.entries(given)) {
    const resolved = resolveAttribute(resourceTypes[kind], path);
    const leaf = resolved?.sub ?? resolved?.attribute;
    if (!resolved || !leaf) {
      issues.push({
        file: where,
        path: `${at}.${path}`,
        message: `"${path}" is not a ${kind} attribute of this app; declare its schema in apps.${entry.id}.schemaExtensions.${kind} first`,
      });
      continue;
    }
    if (leaf.type === 'complex' || leaf.multiValued || resolved.attribute!.multiValued) {
      issues.push({
        file: where,
        path: `${at}.${path}`,
        message: `"${path}" is ${leaf.type === 'complex' ? 'complex' : 'multi-valued'}; a custom field holds one simple value`,
      });
      continue;
    }
    if (fields.has(field))
      issues.push({ file: where, path: `${at}.${path}`, message: `The custom field "${field}" is mapped twice` });
    fields.add(field);
    out.push({ attribute: canonicalName(resolved), field });
  }
  return out;
}

export function appSchema(
  connector: CompiledConnector,
  entry: AppConfig,
  where: string,
  issues: ConfigIssue[],
): AppSchema {
  const declared: Partial<Record<ResourceTypeName, ExtensionDeclaration[]>> = {};
  for (const kind of KINDS) declared[kind] = declarations(connector, entry, kind, where, issues);
  const resourceTypes = appResourceTypes(declared);
  const mapped: AppSchema['customFields'] = {};
  for (const kind of KINDS) {
    const list = customFields(connector, entry, resourceTypes, kind, where, issues);
    if (list.length) mapped[kind] = list;
  }
  return { resourceTypes, customFields: mapped };
}
