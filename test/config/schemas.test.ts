import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../src/config/json-schemas.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA_LINE = '# yaml-language-server: $schema=../../schemas/connector.schema.json';

describe('editor JSON Schemas', () => {
  const generated = jsonSchemas();

  it.each(Object.keys(generated))(
    'schemas/%s is up to date (run `npm run schemas` after changing a zod schema)',
    (name) => {
      expect(readFileSync(join(ROOT, 'schemas', name), 'utf8')).toBe(generated[name]);
    },
  );

  it('schemas/ holds exactly the generated files', () => {
    expect(
      readdirSync(join(ROOT, 'schemas'))
        .filter((name) => name.endsWith('.json'))
        .sort(),
    ).toEqual(Object.keys(generated).sort());
  });

  it('are draft-07 documents with an $id', () => {
    for (const text of Object.values(generated)) {
      const schema = JSON.parse(text) as Record<string, unknown>;
      expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
      expect(schema.$id).toMatch(/^https:\/\/scim-gateway\.dev\/schemas\/\w+\.schema\.json$/);
    }
  });
});

describe('connector files', () => {
  const dirs = readdirSync(join(ROOT, 'connectors'), { withFileTypes: true }).filter(
    (entry) => entry.isDirectory() && existsSync(join(ROOT, 'connectors', entry.name, 'connector.yaml')),
  );

  it('there is at least one', () => {
    expect(dirs.length).toBeGreaterThan(0);
  });

  it.each(dirs.map((entry) => entry.name))('connectors/%s/connector.yaml starts with the schema line', (name) => {
    const firstLine = readFileSync(join(ROOT, 'connectors', name, 'connector.yaml'), 'utf8').split(/\r?\n/, 1)[0];
    expect(firstLine).toBe(SCHEMA_LINE);
  });
});
