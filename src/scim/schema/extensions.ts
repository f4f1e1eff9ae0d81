/**
 * Extension schemas declared by a connector or by an app's config, and the resource types of one app:
 * the core schemas plus the enterprise extension (Users) plus whatever is declared. Declared attributes are
 * advertised in /Schemas and /ResourceTypes and typed like core ones (coerced, validated, filterable).
 */
import { enterpriseUserSchema, groupSchema, userSchema } from './core-schemas.ts';
import type { AttributeDef, ResourceTypeDef, ResourceTypeName, SchemaDef } from './types.ts';
import { URN } from './urns.ts';

/** An attribute as a connector.yaml or gateway.yaml declares it (defaults already applied). */
export type AttributeDeclaration = Omit<
  AttributeDef,
  'canonicalValues' | 'referenceTypes' | 'subAttributes' | 'adHoc'
> & {
  canonicalValues?: string[] | undefined;
  referenceTypes?: string[] | undefined;
  subAttributes?: AttributeDeclaration[] | undefined;
};

export interface ExtensionDeclaration {
  id: string;
  name?: string | undefined;
  description?: string | undefined;
  attributes: AttributeDeclaration[];
}

export type AppResourceTypes = Record<ResourceTypeName, ResourceTypeDef>;

/** The schema URNs nobody may declare again: the core schemas and the enterprise extension. */
export const STANDARD_SCHEMAS: readonly string[] = [URN.user, URN.group, URN.enterpriseUser];

function attributeDef(declaration: AttributeDeclaration): AttributeDef {
  const { subAttributes, canonicalValues, referenceTypes, ...rest } = declaration;
  return {
    ...rest,
    ...(canonicalValues ? { canonicalValues } : {}),
    ...(referenceTypes ? { referenceTypes } : {}),
    ...(subAttributes ? { subAttributes: subAttributes.map(attributeDef) } : {}),
  };
}

/** The name /Schemas shows: the declared one, else the segment before the version ("CustomExtensionName"). */
function schemaName(declaration: ExtensionDeclaration): string {
  if (declaration.name) return declaration.name;
  const segments = declaration.id.split(':');
  const versioned = segments.findIndex((segment, index) => index > 0 && /^\d+(?:\.\d+)*$/.test(segment));
  return (versioned > 0 ? segments[versioned - 1] : segments.at(-1)) ?? declaration.id;
}

export function declaredSchema(declaration: ExtensionDeclaration): SchemaDef {
  return {
    id: declaration.id,
    name: schemaName(declaration),
    description: declaration.description ?? `${schemaName(declaration)} extension`,
    attributes: declaration.attributes.map(attributeDef),
  };
}

/**
 * Several declarations of one URN (a connector's, then an app's additions) become one schema; the
 * caller has already refused duplicate attribute names.
 */
export function mergeDeclarations(declarations: readonly ExtensionDeclaration[]): SchemaDef[] {
  const byId = new Map<string, SchemaDef>();
  for (const declaration of declarations) {
    const key = declaration.id.toLowerCase();
    const schema = declaredSchema(declaration);
    const existing = byId.get(key);
    byId.set(key, existing ? { ...existing, attributes: [...existing.attributes, ...schema.attributes] } : schema);
  }
  return [...byId.values()];
}

export function appResourceTypes(
  declared: Partial<Record<ResourceTypeName, readonly ExtensionDeclaration[]>> = {},
): AppResourceTypes {
  return {
    User: {
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: userSchema,
      extensions: [enterpriseUserSchema, ...mergeDeclarations(declared.User ?? [])],
    },
    Group: {
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: groupSchema,
      extensions: mergeDeclarations(declared.Group ?? []),
    },
  };
}
