/** The editor schemas (JSON Schema draft-07, for yaml-language-server) generated from the zod schemas. */
import { z } from 'zod';
import { connectorManifest } from '../connectors/manifest.ts';
import { gatewayConfig } from './schema.ts';
import { schemaReference } from './schema-reference.ts';

function toJsonSchema(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return `${JSON.stringify({ $id: id, title, ...json }, null, 2)}\n`;
}

export function jsonSchemas(): Record<string, string> {
  return {
    'connector.schema.json': toJsonSchema(
      connectorManifest,
      'https://scim-gateway.dev/schemas/connector.schema.json',
      'SCIM gateway connector (connector.yaml)',
    ),
    'gateway.schema.json': toJsonSchema(
      gatewayConfig,
      'https://scim-gateway.dev/schemas/gateway.schema.json',
      'SCIM gateway configuration (gateway.yaml)',
    ),
  };
}

/** Generated references of every field, for docs/ (kept fresh by a test, like the JSON Schemas). */
export function schemaReferences(): Record<string, string> {
  const schemas = jsonSchemas();
  const parse = (name: string) => JSON.parse(schemas[name]!) as Record<string, unknown>;
  return {
    'connector-reference.md': schemaReference(
      parse('connector.schema.json'),
      'connector.yaml reference',
      'Every field of `connectors/<name>/connector.yaml`, generated from the schema the gateway validates with (`npm run schemas`). The guide is [connectors.md](connectors.md); the tutorial is [writing-a-connector.md](writing-a-connector.md).',
    ),
    'gateway-reference.md': schemaReference(
      parse('gateway.schema.json'),
      'gateway.yaml reference',
      'Every field of the gateway configuration, generated from its schema (`npm run schemas`).',
    ),
  };
}
