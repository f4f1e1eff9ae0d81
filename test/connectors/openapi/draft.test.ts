/**
 * The pure parts of `connector from-openapi`: reading a collection's routes, paging, envelopes and ids out
 * of a document; proposing mappings by field name; URL templates; and the transport that answers a
 * draft's calls from the document while its fixtures are recorded.
 */
import { describe, expect, it } from 'vitest';
import { analyzeCollection } from '../../../src/connectors/openapi/draft/analyze.ts';
import { pathSettings, urlOf } from '../../../src/connectors/openapi/draft/connector-text.ts';
import { proposeGroupMappings, proposeUserMappings } from '../../../src/connectors/openapi/draft/mappings.ts';
import { DocumentTransport, exampleOf } from '../../../src/connectors/openapi/draft/record.ts';
import { OperationIndex } from '../../../src/connectors/openapi/operations.ts';
import type { OutboundRequest } from '../../../src/outbound/transport.ts';

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (schema: unknown, extra: Record<string, unknown> = {}) => ({
  responses: { '200': { description: 'ok', ...json(schema), ...extra } },
});
const query = (...names: [string, unknown?][]) =>
  names.map(([name, schema]) => ({ name, in: 'query', schema: schema ?? { type: 'integer' } }));
const user = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    login: { type: 'string' },
    given_name: { type: 'string' },
    surname: { type: 'string' },
    enabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' },
  },
};

function listDoc(parameters: unknown[], answer: unknown, extra: Record<string, unknown> = {}) {
  return {
    openapi: '3.1.0',
    paths: { '/users': { get: { parameters, ...ok(answer, extra) } }, '/users/{id}': { get: ok(user) } },
  };
}

describe('analyzeCollection', () => {
  it("finds each operation, the envelope the object sits in, the body envelope and the list's items and total", () => {
    const doc = {
      openapi: '3.1.0',
      paths: {
        '/users': {
          get: {
            parameters: query(['page'], ['per_page'], ['email', { type: 'string' }]),
            ...ok({
              type: 'object',
              properties: { users: { type: 'array', items: user }, total_count: { type: 'integer' } },
            }),
          },
          post: {
            requestBody: json({
              type: 'object',
              properties: { user: { type: 'object', properties: { login: { type: 'string' } } } },
            }),
            responses: { '201': { description: 'created', ...json({ type: 'object', properties: { user } }) } },
          },
        },
        '/users/{id}': {
          get: ok({ type: 'object', properties: { user } }),
          put: ok({}),
          delete: { responses: { '204': { description: 'gone' } } },
        },
        '/users/{id}/suspend': { post: ok({}) },
        '/users/{id}/unsuspend': { post: ok({}) },
      },
    };
    const users = analyzeCollection(doc, '/users', 'User');
    expect([
      users.list?.method,
      users.create?.method,
      users.get?.path,
      users.update?.method,
      users.delete?.method,
      users.deactivate?.path,
      users.reactivate?.path,
    ]).toEqual(['get', 'post', '/users/{id}', 'put', 'delete', '/users/{id}/suspend', '/users/{id}/unsuspend']);
    expect({
      envelope: users.envelope,
      bodyEnvelope: users.bodyEnvelope,
      items: users.items,
      paging: users.paging,
      idField: users.idField,
    }).toEqual({
      envelope: 'user',
      bodyEnvelope: 'user',
      items: 'users',
      paging: { type: 'page', pageParam: 'page', sizeParam: 'per_page', firstPage: 1, total: 'total_count' },
      idField: 'id',
    });
    expect(users.writable).toEqual(new Set(['login']));
    expect(users.listParameters).toEqual(['page', 'per_page', 'email']);
  });

  it('tells the paging styles apart: numeric offset, cursor, an offset token, Link headers, none', () => {
    const paging = (doc: Record<string, unknown>) => analyzeCollection(doc, '/users', 'User').paging;
    expect(paging(listDoc(query(['offset'], ['limit']), { type: 'array', items: user }))).toEqual({
      type: 'offset',
      offsetParam: 'offset',
      limitParam: 'limit',
    });
    expect(
      paging(
        listDoc(query(['cursor', { type: 'string' }], ['limit']), {
          type: 'object',
          properties: {
            data: { type: 'array', items: user },
            meta: { type: 'object', properties: { next_cursor: { type: 'string' } } },
          },
        }),
      ),
    ).toEqual({ type: 'cursor', cursorParam: 'cursor', sizeParam: 'limit', cursor: 'meta.next_cursor' });
    // Asana's "offset" is a string token handed back in next_page.offset.
    expect(
      paging(
        listDoc(query(['offset', { type: 'string' }], ['limit']), {
          type: 'object',
          properties: {
            data: { type: 'array', items: user },
            next_page: { type: 'object', properties: { offset: { type: 'string' }, uri: { type: 'string' } } },
          },
        }),
      ),
    ).toEqual({ type: 'cursor', cursorParam: 'offset', sizeParam: 'limit', cursor: 'next_page.offset' });
    expect(
      paging(
        listDoc(
          query(['per_page']),
          { type: 'array', items: user },
          { headers: { Link: { schema: { type: 'string' } } } },
        ),
      ),
    ).toEqual({ type: 'link', sizeParam: 'per_page' });
    expect(paging(listDoc([], { type: 'array', items: user }))).toEqual({ type: 'none' });
  });

  it('finds items kept at the top when the list sits below a parent, and takes the id field the route names', () => {
    const team = { type: 'object', properties: { gid: { type: 'string' }, name: { type: 'string' } } };
    const doc = {
      openapi: '3.1.0',
      paths: {
        '/workspaces/{workspace_gid}/teams': { get: ok({ type: 'array', items: team }) },
        '/teams': {
          post: { requestBody: json(team), responses: { '201': { description: 'created', ...json(team) } } },
        },
        '/teams/{team_gid}': { get: ok(team) },
        '/orgs/{org}/members': { get: ok({ type: 'array', items: user }) },
        '/orgs/{org}/members/{username}': { get: ok(user) },
      },
    };
    const teams = analyzeCollection(doc, '/workspaces/{workspace_gid}/teams', 'Group');
    expect([teams.get?.path, teams.create?.path, teams.idParam, teams.idField, teams.idFieldSure]).toEqual([
      '/teams/{team_gid}',
      '/teams',
      'team_gid',
      'gid',
      true,
    ]);
    const members = analyzeCollection(doc, '/orgs/{org}/members', 'User');
    expect([members.idParam, members.idField, members.idFieldSure]).toEqual(['username', 'id', false]);
  });

  it("reads a group's member routes: one at a time, in bulk, and the member list", () => {
    const group = { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } };
    const doc = {
      openapi: '3.1.0',
      paths: {
        '/groups': { get: ok({ type: 'array', items: group }) },
        '/groups/{id}': { get: ok(group) },
        '/groups/{id}/members': {
          get: {
            parameters: query(['page'], ['per_page']),
            ...ok({
              type: 'object',
              properties: {
                members: { type: 'array', items: { type: 'object', properties: { user_id: { type: 'integer' } } } },
              },
            }),
          },
          post: {
            requestBody: json({
              type: 'object',
              properties: { user_ids: { type: 'array', items: { type: 'integer' } } },
            }),
            responses: { '204': { description: 'added' } },
          },
          delete: {
            parameters: query(['ids', { type: 'array', items: { type: 'integer' } }]),
            responses: { '204': { description: 'removed' } },
          },
        },
        '/groups/{id}/members/{user_id}': {
          put: { responses: { '204': { description: 'added' } } },
          delete: { responses: { '204': { description: 'removed' } } },
        },
      },
    };
    const members = analyzeCollection(doc, '/groups', 'Group').members!;
    expect([
      members.add?.method,
      members.remove?.method,
      members.addMany?.property,
      members.removeMany?.parameter,
      members.listItems,
      members.memberIdField,
      members.paging.type,
    ]).toEqual(['put', 'delete', 'user_ids', 'ids', 'members', 'user_id', 'page']);
  });
});

describe('proposed mappings', () => {
  it('matches fields by name and keeps created_at as meta', () => {
    const proposed = proposeUserMappings(user, { sendActive: true });
    expect(proposed.toApp).toBe(
      '{\n  "login": userName,\n  "given_name": name.givenName,\n  "surname": name.familyName,\n  "enabled": active != false\n}\n',
    );
    expect(proposed.toScim).toContain('"name": { "givenName": given_name, "familyName": surname }');
    expect(proposed.toScim).toContain('"meta": { "created": created_at }');
    expect(proposed.attributes).toEqual(['userName', 'active', 'name.givenName', 'name.familyName']);
    expect(proposed.userNameField).toBe('login');
  });

  it('reads active from a status enum or an inverted flag, and sends it only without deactivate/reactivate calls', () => {
    const status = {
      type: 'object',
      properties: { email: { type: 'string' }, status: { type: 'string', enum: ['ACTIVE', 'SUSPENDED'] } },
    };
    const withStatus = proposeUserMappings(status, { sendActive: true });
    expect(withStatus.active).toEqual({
      field: 'status',
      style: 'status',
      activeValue: 'ACTIVE',
      inactiveValue: 'SUSPENDED',
    });
    expect(withStatus.toApp).toContain('"status": active = false ? "SUSPENDED" : "ACTIVE"');
    expect(withStatus.toScim).toContain('"active": status = "ACTIVE"');
    const blocked = proposeUserMappings(
      { type: 'object', properties: { email: { type: 'string' }, blocked: { type: 'boolean' } } },
      { sendActive: false, hasActiveCalls: true },
    );
    expect(blocked.toScim).toContain('"active": blocked != true');
    expect(blocked.toApp).not.toContain('blocked');
  });

  it("writes only the fields the app's requests take; the rest are read back but never sent", () => {
    const proposed = proposeUserMappings(user, { sendActive: true, writable: new Set(['given_name', 'surname']) });
    expect(proposed.toApp).toBe('{\n  "given_name": name.givenName,\n  "surname": name.familyName\n}\n');
    expect(proposed.toScim).toContain('"userName": login');
    expect(proposed.matched).toContain("login ↔ userName (read only: the app's requests do not take it)");
    expect(
      proposeGroupMappings({
        type: 'object',
        properties: { title: { type: 'string' }, description: { type: 'string' } },
      }),
    ).toMatchObject({ toApp: '{ "title": displayName }', unmatched: ['description'] });
  });
});

describe('URL templates', () => {
  it("turns the collection's own parameters into settings, then the id and the member", () => {
    expect(urlOf('/orgs/{org}/teams/{team_slug}/memberships/{username}', '/orgs/{org}/teams')).toBe(
      '/orgs/{{ $config.org }}/teams/{{ $id }}/memberships/{{ $member }}',
    );
    expect(urlOf('/teams/{team_gid}', '/workspaces/{workspace_gid}/teams')).toBe('/teams/{{ $id }}');
    expect(
      pathSettings(['/workspaces/{workspace_gid}/teams'], {
        id: 'asana',
        title: 'Asana',
        envPrefix: 'ASANA',
        schemaPath: '',
      }),
    ).toEqual([
      '  workspaceGid:\n    description: "The {workspace_gid} of /workspaces/{workspace_gid}/teams"\n    env: ASANA_WORKSPACE_GID\n    required: true',
    ]);
  });
});

describe('answers from the document', () => {
  const doc = {
    openapi: '3.1.0',
    paths: {
      '/users': {
        get: ok({
          type: 'object',
          properties: { data: { type: 'array', items: user }, next_cursor: { type: 'string' } },
        }),
        post: {
          responses: {
            '201': {
              description: 'created',
              content: { 'application/json': { schema: user, example: { id: 7, login: 'example', enabled: true } } },
            },
          },
        },
      },
      '/users/{id}': { get: ok(user) },
    },
  };
  const send = (transport: DocumentTransport, method: OutboundRequest['method'], path: string, body?: unknown) =>
    transport.send({
      method,
      url: `https://app.test/api${path}`,
      headers: {},
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('makes values from a schema by field name', () => {
    expect(exampleOf(user)).toEqual({
      id: 101,
      login: 'login-1',
      given_name: 'given_name-1',
      surname: 'surname-1',
      enabled: true,
      created_at: '2026-01-05T10:00:00Z',
    });
    expect(exampleOf({ type: 'string', enum: ['suspended', 'active'] })).toBe('active');
  });

  it("answers with the operation's example, the request's fields echoed into it, and later pages empty", async () => {
    const transport = new DocumentTransport(new OperationIndex(doc), '/api');
    const created = await send(transport, 'POST', '/users', { login: 'jane' });
    expect([created.status, JSON.parse(created.body)]).toEqual([201, { id: 7, login: 'jane', enabled: true }]);
    const first = JSON.parse((await send(transport, 'GET', '/users')).body);
    expect(first.data).toHaveLength(1);
    expect(first.next_cursor).toBe('next_cursor-1');
    expect(JSON.parse((await send(transport, 'GET', '/users?cursor=next_cursor-1')).body)).toEqual({
      data: [],
      next_cursor: null,
    });
    expect((await send(transport, 'GET', '/nowhere')).status).toBe(404);
    expect(transport.problems).toEqual(['GET /nowhere: not in the document']);
    expect(transport.recorded.map((call) => call.response.status)).toEqual([201, 200, 200, 404]);
  });

  it('lets a case override a route for its first calls', async () => {
    const transport = new DocumentTransport(new OperationIndex(doc), '/api', [
      { route: 'GET /users/{id}', status: 429, headers: { 'retry-after': '1' }, times: 1 },
    ]);
    const limited = await send(transport, 'GET', '/users/7');
    expect([limited.status, limited.headers['retry-after']]).toEqual([429, '1']);
    expect((await send(transport, 'GET', '/users/7')).status).toBe(200);
  });
});
