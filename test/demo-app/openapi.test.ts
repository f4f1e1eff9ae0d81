/**
 * The demo app's own OpenAPI 3.1 description: served without a key at /openapi.json, the same document the
 * demo connector is checked against (connectors/demo/openapi/demo-app.json, written by npm run schemas),
 * and true to what the API answers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationIndex } from '../../src/connectors/openapi/operations.ts';
import { loadOpenApi } from '../../src/connectors/openapi/document.ts';
import { SchemaValidators } from '../../src/connectors/openapi/schemas.ts';
import { successSchema } from '../../src/connectors/openapi/response-reads.ts';
import { demoOpenApi } from '../../src/demo-app/openapi.ts';
import { startApp, type Running } from './helpers.ts';

const FILE = join(import.meta.dirname, '..', '..', 'connectors', 'demo', 'openapi', 'demo-app.json');
let t: Running;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.app.close());

describe('GET /openapi.json', () => {
  it('serves the description without an API key, and it is the one the demo connector is checked against', async () => {
    const res = await fetch(`${t.url}/openapi.json`);
    expect(res.status).toBe(200);
    const served = (await res.json()) as Record<string, unknown>;
    expect(served).toEqual(demoOpenApi());
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(served); // run `npm run schemas` when it differs
    expect(served.openapi).toBe('3.1.0');
  });

  it('describes what the API answers: a created user, a user list, a team and an error validate against their schemas', async () => {
    const doc = await loadOpenApi(FILE);
    const index = new OperationIndex(doc.deref);
    const validators = new SchemaValidators(doc);
    const raw = (template: string, method: string, status: string) =>
      (doc.raw.paths as any)[template][method].responses[status].content['application/json'].schema;
    const created = await t.call('POST', '/api/users', {
      body: { user_name: 'described', roles: ['A'], custom_fields: { a: 1 }, office: { city: 'Oslo' } },
    });
    expect(validators.problems(raw('/users', 'post', '201'), created.body)).toEqual([]);
    const list = await t.call('GET', '/api/users?per_page=5');
    expect(validators.problems(raw('/users', 'get', '200'), list.body)).toEqual([]);
    const team = await t.call('POST', '/api/teams', { body: { name: 'Described' } });
    expect(validators.problems(raw('/teams', 'post', '201'), team.body)).toEqual([]);
    const missing = await t.call('GET', '/api/users/999');
    expect(validators.problems(raw('/users/{id}', 'get', '404'), missing.body)).toEqual([]);
    expect(successSchema(index.find('GET', '/users/7')!.operation)).toBeDefined();
  });
});
