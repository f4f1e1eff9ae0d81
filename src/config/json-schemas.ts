/** The editor schemas (JSON Schema draft-07, for yaml-language-server) generated from the zod schemas. */
import { z } from 'zod';
import { connectorManifest } from '../connectors/manifest.ts';
import { gatewayConfig } from './schema.ts';

function toJsonSchema(schema: z.ZodType, id: string, title: string): string {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return `${JSON.stringify({ $id: id, title, ...json }, null, 2)}\n`;
}

export function jsonSchemas(): Record<string, string> {
  return {
    'connector.schema.json': toJsonSchema(connectorManifest, 'https://scim-gateway.dev/schemas/connector.schema.json', 'SCIM gateway connector (connector.yaml)'),
    'gateway.schema.json': toJsonSchema(gatewayConfig, 'https://scim-gateway.dev/schemas/gateway.schema.json', 'SCIM gateway configuration (gateway.yaml)'),
  };
}
