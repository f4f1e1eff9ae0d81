/** npm run schemas: writes schemas/*.json from the zod schemas (a test fails when they are stale). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemas, schemaReferences } from '../src/config/json-schemas.ts';
import { demoOpenApi } from '../src/demo-app/openapi.ts';

const dir = join(import.meta.dirname, '..', 'schemas');
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(jsonSchemas())) {
  writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote schemas/${name}\n`);
}
// The demo app's OpenAPI description, which the demo connector is checked against.
const demoSpec = join(import.meta.dirname, '..', 'connectors', 'demo', 'openapi', 'demo-app.json');
mkdirSync(join(demoSpec, '..'), { recursive: true });
writeFileSync(demoSpec, `${JSON.stringify(demoOpenApi(), null, 2)}\n`);
process.stdout.write('wrote connectors/demo/openapi/demo-app.json\n');
const docs = join(import.meta.dirname, '..', 'docs');
for (const [name, text] of Object.entries(schemaReferences())) {
  writeFileSync(join(docs, name), text);
  process.stdout.write(`wrote docs/${name}\n`);
}
