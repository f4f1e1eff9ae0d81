/** The fixture files of a connector (docs/connectors.md, "Fixtures"), validated with positions. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseYaml, validateYaml } from '../../config/yaml-source.ts';
import { gatewayConfig } from '../../config/schema.ts';

/** The parts of an app entry in gateway.yaml a fixture run may set besides settings and secrets. */
const appEntry = gatewayConfig.shape.apps.element.shape;

const json = z.unknown();

const mapped = z.record(
  z.string(),
  z
    .object({
      appId: z.string(),
      userName: z.string().optional(),
      displayName: z.string().optional(),
      externalId: z.string().optional(),
      shadow: z.record(z.string(), json).optional(),
    })
    .strict(),
);

export const fixtureApp = z
  .object({
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    secrets: z.record(z.string(), z.string()).default({}),
    schemaExtensions: appEntry.schemaExtensions,
    customFields: appEntry.customFields,
  })
  .strict();

export const fixtureCase = z
  .object({
    description: z.string().min(1),
    app: z
      .object({ schemaExtensions: appEntry.schemaExtensions, customFields: appEntry.customFields })
      .strict()
      .optional()
      .describe("What this case adds to fixtures/_app.yaml: an app's schemaExtensions and customFields."),
    given: z.object({ users: mapped.optional(), groups: mapped.optional() }).strict().optional(),
    request: z
      .object({
        method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
        path: z.string().startsWith('/'),
        query: z.record(z.string(), z.string()).optional(),
        headers: z.record(z.string(), z.string()).optional(),
        body: json.optional(),
      })
      .strict(),
    exchanges: z
      .array(
        z
          .object({
            request: z
              .object({
                method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
                url: z.string().min(1),
                query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
                headers: z.record(z.string(), z.string()).optional(),
                body: json.optional(),
              })
              .strict(),
            response: z
              .object({
                status: z.number().int().min(100).max(599),
                headers: z.record(z.string(), z.string()).optional(),
                body: json.optional(),
              })
              .strict(),
          })
          .strict(),
      )
      .default([]),
    expect: z
      .object({ status: z.number().int(), headers: z.record(z.string(), z.string()).optional(), body: json.optional() })
      .strict(),
  })
  .strict();

export type FixtureCase = z.infer<typeof fixtureCase>;
export type FixtureApp = z.infer<typeof fixtureApp>;

export interface LoadedFixture {
  file: string;
  name: string;
  fixture: FixtureCase;
}

export function loadFixtureApp(dir: string): FixtureApp {
  const file = join(dir, 'fixtures', '_app.yaml');
  if (!existsSync(file)) return { settings: {}, secrets: {} };
  return validateYaml(parseYaml(file, readFileSync(file, 'utf8')), fixtureApp);
}

export function loadFixtures(dir: string): LoadedFixture[] {
  const folder = join(dir, 'fixtures');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.yaml') && !name.startsWith('_'))
    .sort()
    .map((name) => {
      const file = join(folder, name);
      return {
        file,
        name: name.replace(/\.yaml$/, ''),
        fixture: validateYaml(parseYaml(file, readFileSync(file, 'utf8')), fixtureCase),
      };
    });
}
