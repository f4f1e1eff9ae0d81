/** Reads gateway.yaml: YAML with positions, validated against the schema, every problem as file:line:col. */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { parseYaml, validateYaml } from './yaml-source.ts';
import { gatewayConfig, type GatewayConfig } from './schema.ts';

export function loadGatewayConfig(file: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      { file, message: `Cannot read the config file: ${(error as NodeJS.ErrnoException).code ?? String(error)}` },
    ]);
  }
  return validateYaml(parseYaml(file, text), gatewayConfig);
}
