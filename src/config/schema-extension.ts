/**
 * How connector.yaml (resources.<kind>.schemaExtensions) and gateway.yaml (apps[].schemaExtensions)
 * declare an extension schema, e.g. the one behind Entra's custom attributes
 * (urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User:CustomAttribute).
 */
import { z } from 'zod';
import { STANDARD_SCHEMAS } from '../scim/schema/extensions.ts';

const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const characteristics = {
  name: z
    .string()
    .regex(ATTR_NAME, 'An attribute name starts with a letter and has only letters, digits, "-" and "_"')
    .describe('The attribute name, as Entra sends it after the URN.'),
  multiValued: z
    .boolean()
    .default(false)
    .describe('true for a list of values (Entra sends custom attributes single-valued).'),
  description: z.string().default('').describe('Shown in /Schemas.'),
  required: z.boolean().default(false),
  caseExact: z.boolean().default(false).describe('Whether filters compare the value case-sensitively.'),
  mutability: z.enum(['readWrite', 'readOnly', 'immutable', 'writeOnly']).default('readWrite'),
  returned: z.enum(['default', 'always', 'never', 'request']).default('default'),
  uniqueness: z.enum(['none', 'server', 'global']).default('none'),
  canonicalValues: z
    .array(z.string())
    .optional()
    .describe("The values the attribute usually takes, for Entra's attribute editor."),
  referenceTypes: z.array(z.string()).optional().describe('For type reference: User, Group, external or uri.'),
};

const subAttribute = z
  .object({
    ...characteristics,
    type: z.enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary']).default('string'),
  })
  .strict();

const attribute = z
  .object({
    ...characteristics,
    type: z
      .enum(['string', 'boolean', 'decimal', 'integer', 'dateTime', 'reference', 'binary', 'complex'])
      .default('string')
      .describe('RFC 7643 §2.3 type.'),
    subAttributes: z.array(subAttribute).min(1).optional().describe('For type complex only.'),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.type === 'complex' && !value.subAttributes)
      ctx.addIssue({ code: 'custom', path: ['subAttributes'], message: 'A complex attribute needs subAttributes' });
    if (value.type !== 'complex' && value.subAttributes)
      ctx.addIssue({
        code: 'custom',
        path: ['subAttributes'],
        message: 'Only an attribute of type complex has subAttributes',
      });
    if (value.subAttributes) refuseDuplicates(value.subAttributes, ['subAttributes'], ctx);
  });

function refuseDuplicates(list: { name: string }[], path: (string | number)[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  list.forEach((entry, index) => {
    const key = entry.name.toLowerCase();
    if (seen.has(key))
      ctx.addIssue({
        code: 'custom',
        path: [...path, index, 'name'],
        message: `"${entry.name}" is declared twice (names are case-insensitive)`,
      });
    seen.add(key);
  });
}

export const schemaExtension = z
  .object({
    id: z
      .string()
      .regex(
        /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s[\]"]+$/,
        'Give the schema URN, e.g. urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User',
      )
      .refine(
        (id) => !STANDARD_SCHEMAS.some((urn) => urn.toLowerCase() === id.toLowerCase()),
        'The core and enterprise schemas are built in; declare a schema of your own',
      )
      .describe('The schema URN: the part of Entra\'s attribute name before the last ":".'),
    name: z.string().optional().describe('Shown in /Schemas; default: the URN segment before the version.'),
    description: z.string().optional(),
    attributes: z.array(attribute).min(1),
  })
  .strict()
  .superRefine((value, ctx) => refuseDuplicates(value.attributes, ['attributes'], ctx));

export const schemaExtensions = z
  .array(schemaExtension)
  .describe(
    'Extension schemas: advertised in /Schemas, accepted in bodies, PATCH paths and filters, available to mappings.',
  );

export type SchemaExtensionDeclaration = z.infer<typeof schemaExtension>;
