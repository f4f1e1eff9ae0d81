/**
 * One recorded call held against a small OpenAPI 3.0 document: each kind of disagreement check-spec
 * reports (route, method, query names, types, enums in comma lists, required parameters, body fields and
 * types, statuses) and what it lets through (server failures, common statuses, prose-documented routes).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCall, type CallContext } from '../../../src/connectors/openapi/check-call.ts';
import { loadOpenApi } from '../../../src/connectors/openapi/document.ts';
import { OperationIndex } from '../../../src/connectors/openapi/operations.ts';
import { SchemaValidators } from '../../../src/connectors/openapi/schemas.ts';
import type { RecordedCall } from '../../../src/connectors/testing/replay-transport.ts';
import type { OutboundRequest } from '../../../src/outbound/transport.ts';
import { cleanupTemp, tempRoot } from '../helpers.ts';

const DOCUMENT = {
  openapi: '3.0.3',
  info: { title: 'Acme', version: '1' },
  paths: {
    '/users': {
      get: {
        parameters: [
          {
            name: 'opt_fields',
            in: 'query',
            explode: false,
            schema: { type: 'array', items: { type: 'string', enum: ['name', 'email', 'title'] } },
          },
          { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 100 } },
          { name: 'workspace', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'ok' }, '400': { description: 'bad' } },
      },
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/UserRequest' } } } },
        responses: { '201': { description: 'created' }, '422': { description: 'invalid' } },
      },
    },
    '/users/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
  components: {
    schemas: {
      UserRequest: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          active: { type: 'boolean' },
          profile: { type: 'object', properties: { title: { type: 'string', nullable: true } } },
        },
      },
    },
  },
};

let context: CallContext;
beforeAll(async () => {
  const file = join(tempRoot(), 'acme.json');
  writeFileSync(file, JSON.stringify(DOCUMENT));
  const doc = await loadOpenApi(file);
  context = {
    baseUrl: new URL('https://acme.test/api'),
    pathPrefix: '',
    index: new OperationIndex(doc.deref),
    validators: new SchemaValidators(doc),
    raw: doc.raw,
    allowListed: [],
    commonStatuses: [],
  };
});
afterAll(cleanupTemp);

function call(method: OutboundRequest['method'], url: string, status = 200, body?: unknown): RecordedCall {
  return {
    index: 0,
    request: {
      method,
      url: `https://acme.test/api${url}`,
      headers: {},
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    },
    body,
    response: { status },
  };
}
const messages = (verdict: ReturnType<typeof checkCall>) =>
  verdict.findings.map((finding) => `${finding.part}: ${finding.message}`);

describe('checkCall', () => {
  it('passes a call the document describes, naming its route', () => {
    const verdict = checkCall(context, call('GET', '/users?workspace=w1&opt_fields=name,email&limit=50'));
    expect(verdict).toEqual({ route: 'GET /users', status: 'ok', findings: [] });
    expect(checkCall(context, call('GET', '/users/abc')).route).toBe('GET /users/{id}');
  });

  it('reports a path the document lacks, and a method it lacks for a path it has', () => {
    expect(messages(checkCall(context, call('GET', '/people')))[0]).toMatch(
      /^request: GET \/people: the document has no such path/,
    );
    expect(messages(checkCall(context, call('DELETE', '/users/abc')))).toEqual([
      'request: DELETE /users/abc: the document has this path only with GET',
    ]);
  });

  it('reports query names, types, enum members of a comma list, and missing required parameters', () => {
    expect(
      messages(checkCall(context, call('GET', '/users?workspace=w1&opt_fields=name,gid&limit=lots&sort=name'))),
    ).toEqual([
      'query: query parameter "opt_fields" is "gid"; the document allows "name", "email", "title"',
      'query: query parameter "limit" is "lots"; the document says integer',
      'query: query parameter "sort" is not documented for this operation (it has opt_fields, limit, workspace)',
    ]);
    expect(messages(checkCall(context, call('GET', '/users')))).toEqual([
      'query: the required query parameter "workspace" is missing',
    ]);
  });

  it('reports body fields the schema lacks, and values of the wrong type (OpenAPI 3.0 nullable understood)', () => {
    expect(checkCall(context, call('POST', '/users', 201, { name: 'Jane', profile: { title: null } })).status).toBe(
      'ok',
    );
    expect(
      messages(
        checkCall(
          context,
          call('POST', '/users', 201, { name: 'Jane', nickname: 'J', profile: { department: 'R&D' } }),
        ),
      ),
    ).toEqual([
      'body: body.nickname: the document\'s schema has no property "nickname" (it has name, active, profile)',
      'body: body.profile.department: the document\'s schema has no property "department" (it has title)',
    ]);
    expect(messages(checkCall(context, call('POST', '/users', 201, { active: 'yes' })))).toEqual([
      "body: body must have required property 'name'",
      'body: body.active must be boolean',
    ]);
  });

  it('reports a status the operation does not list, but lets server failures and common statuses through', () => {
    expect(messages(checkCall(context, call('POST', '/users', 409, { name: 'Jane' })))).toEqual([
      'status: the fixture answers 409, which the document does not list for this operation (it lists 201, 422)',
    ]);
    expect(checkCall(context, call('POST', '/users', 503, { name: 'Jane' })).status).toBe('ok');
    expect(checkCall({ ...context, commonStatuses: [409] }, call('POST', '/users', 409, { name: 'Jane' })).status).toBe(
      'ok',
    );
  });

  it('lets through a route, or the query of one, that the vendor documents only in prose', () => {
    const allowListed = [
      { method: 'GET', path: '/people', regex: /^\/people$/ },
      { method: 'GET', path: '/users', regex: /^\/users$/, query: ['sort'] },
    ];
    expect(checkCall({ ...context, allowListed }, call('GET', '/people'))).toEqual({
      route: 'GET /people',
      status: 'allow-listed',
      findings: [],
    });
    expect(checkCall({ ...context, allowListed }, call('GET', '/users?workspace=w1&sort=name')).status).toBe('ok');
  });

  it('leaves calls outside the API root alone (an OAuth token URL)', () => {
    const outside = {
      ...call('POST', '/users', 200),
      request: { method: 'POST' as const, url: 'https://login.acme.test/oauth/token', headers: {} },
    };
    expect(checkCall(context, outside).status).toBe('outside');
  });
});
