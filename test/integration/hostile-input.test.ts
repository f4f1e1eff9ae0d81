/**
 * Bad and hostile requests get the right SCIM error, never a 500, never a half-written mapping, and never
 * an app call built from an unencoded or unknown id.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OTHER_TOKEN, TOKEN, entraUser, patchBody, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.demo.log.length = 0;
});

function expectScimError(reply: { status: number; headers: Headers; body: any }, status: number, scimType?: string) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(reply.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  expect(reply.body.status).toBe(String(status));
  if (scimType) expect(reply.body.scimType).toBe(scimType);
  expect(reply.body.detail).toMatch(/\(request [\w.:-]+\)$/);
  expect(reply.headers.get('x-request-id')).toBeTruthy();
}

describe('hostile input', () => {
  it("refuses a missing, malformed or wrong bearer token with 401, and one app's token on another app", async () => {
    expectScimError(await stack.scim('GET', '/Users', undefined, { authorization: '' }), 401);
    expectScimError(await stack.scim('GET', '/Users', undefined, { authorization: 'non-token' }), 401);
    expectScimError(await stack.scim('GET', '/Users', undefined, { authorization: `Bearer ${TOKEN}x` }), 401);
    expectScimError(await stack.scim('GET', '/Users', undefined, { authorization: `Bearer ${OTHER_TOKEN}` }), 401);
    expect(stack.demo.log).toHaveLength(0);
    const other = stack.base.replace('/apps/demo/', '/apps/other/');
    expect(
      (await stack.scim('GET', `${other}/Users`, undefined, { authorization: `Bearer ${OTHER_TOKEN}` })).status,
    ).toBe(200);
    expectScimError(await stack.scim('GET', `${other}/Users`), 401);
  });

  it('answers malformed JSON with 400 invalidSyntax and a wrong content type with 415', async () => {
    expectScimError(
      await stack.scim('POST', '/Users', '{"userName": "x",', { 'content-type': 'application/scim+json' }),
      400,
      'invalidSyntax',
    );
    expectScimError(await stack.scim('POST', '/Users', '[1,2]'), 400, 'invalidSyntax');
    expectScimError(
      await stack.scim('POST', '/Users', 'userName=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
    );
    expectScimError(
      await stack.scim('PATCH', '/Users/x', '', { 'content-type': 'application/scim+json' }),
      400,
      'invalidSyntax',
    );
  });

  it('refuses a body over the limit with 413', async () => {
    const huge = entraUser('huge@contoso.com', { displayName: 'x'.repeat(70 * 1024) });
    expectScimError(await stack.scim('POST', '/Users', huge), 413);
    expect(stack.demo.log).toHaveLength(0);
  });

  it('refuses filters that do not parse, unknown sub-attributes and bad operators with 400 invalidFilter', async () => {
    // (An undeclared attribute such as "foo" is not refused: it may be an Entra custom attribute.)
    for (const filter of [
      'userName eq',
      'userName xx "a"',
      'userName regex "x"',
      '(userName eq "a"',
      'emails[type eq "work"',
      'name.foo eq "x"',
      'active gt true',
      'userName eq "unterminated',
    ]) {
      expectScimError(await stack.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter');
    }
    expect(stack.demo.log).toHaveLength(0);
  });

  it('refuses invalid values and paths with the right scimType, writing nothing', async () => {
    expectScimError(
      await stack.scim('POST', '/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] }),
      400,
      'invalidValue',
    );
    expectScimError(await stack.scim('POST', '/Users', { userName: { nested: true } }), 400, 'invalidValue');
    expectScimError(
      await stack.scim('POST', '/Users', entraUser('bool@contoso.com', { active: 'maybe' })),
      400,
      'invalidValue',
    );
    const created = await stack.scim('POST', '/Users', entraUser('patchme@contoso.com'));
    const id = created.body.id as string;
    stack.demo.log.length = 0;
    expectScimError(
      await stack.scim('PATCH', `/Users/${id}`, { Operations: [{ op: 'replace', path: 'title', value: 'x' }] }),
      400,
      'invalidSyntax',
    );
    expectScimError(
      await stack.scim('PATCH', `/Users/${id}`, patchBody({ op: 'jump', path: 'title' })),
      400,
      'invalidSyntax',
    );
    expectScimError(await stack.scim('PATCH', `/Users/${id}`, patchBody({ op: 'remove' })), 400, 'noTarget');
    expectScimError(
      await stack.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'foo[[', value: 1 })),
      400,
      'invalidPath',
    );
    expectScimError(
      await stack.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'name.noSuchPart', value: 1 })),
      400,
      'invalidPath',
    );
    expectScimError(
      await stack.scim('PATCH', `/Users/${id}`, patchBody({ op: 'remove', path: 'userName' })),
      400,
      'mutability',
    );
    // Atomic: the first operation is valid, the second is not; nothing changes.
    expectScimError(
      await stack.scim(
        'PATCH',
        `/Users/${id}`,
        patchBody({ op: 'replace', path: 'title', value: 'Changed' }, { op: 'replace', path: 'id', value: 'x' }),
      ),
      400,
      'mutability',
    );
    expect(stack.demo.log).toHaveLength(0);
    expect((await stack.scim('GET', `/Users/${id}`)).body.title).toBeUndefined();
  });

  it('answers ids containing "/", ".." or "%2F" with 404 and never calls the app with them', async () => {
    for (const id of ['a%2Fb', '..%2F..%2Fapi%2Fusers', '%2E%2E', 'x%252F', '1%2F..%2F2']) {
      const reply = await stack.scim('GET', `/Users/${id}`);
      expect([404]).toContain(reply.status);
      expect(reply.body.status).toBe('404');
      const deleted = await stack.scim('DELETE', `/Groups/${id}`);
      expect(deleted.status).toBe(404);
    }
    expect(stack.demo.log).toHaveLength(0);
  });

  it('answers unknown endpoints, unknown apps and unsupported methods with SCIM errors', async () => {
    expectScimError(await stack.scim('GET', '/Widgets'), 404);
    expectScimError(await stack.scim('GET', stack.base.replace('/apps/demo/', '/apps/nope/') + '/Users'), 404);
    expectScimError(
      await stack.scim('POST', '/Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [],
      }),
      501,
    );
    expectScimError(await stack.scim('DELETE', '/Users'), 405);
    expect((await stack.scim('DELETE', '/Users')).headers.get('allow')).toBe('GET, POST');
    expect((await stack.scim('POST', '/Users/some-id')).headers.get('allow')).toBe('GET, PUT, PATCH, DELETE');
    expect((await stack.scim('PUT', '/ServiceProviderConfig')).headers.get('allow')).toBe('GET');
    // A 405 says what the path takes before anything else is checked, as it did under @koa/router.
    expectScimError(await stack.scim('PUT', '/Schemas', {}, { authorization: '' }), 405);
    expectScimError(await stack.scim('GET', ''), 404);
    expectScimError(await stack.scim('GET', '/Users/a/b'), 404);
    expectScimError(await stack.scim('GET', '/ResourceTypes/Widget'), 404);
  });

  it('routes paths in any case, with a trailing slash, percent-encoded ids and HEAD as GET', async () => {
    const created = await stack.scim('POST', '/Users', entraUser('routing@example.com'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await stack.scim('GET', `/USERS/${id}/`)).body.id).toBe(id);
    expect((await stack.scim('GET', `/Users/${encodeURIComponent(id).replace(/-/g, '%2D')}`)).body.id).toBe(id);
    expect((await stack.scim('GET', '/resourcetypes/user')).body.id).toBe('User');
    expect((await stack.scim('GET', '/schemas/urn:ietf:params:scim:schemas:core:2.0:Group')).status).toBe(200);
    const head = await stack.scim('HEAD', `/Users/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toMatch(/^W\//);
    // ".search" is POST's search; for the other methods it is an id like any other.
    expectScimError(await stack.scim('GET', '/Users/.search'), 404);
    const found = await stack.scim('POST', '/Users/.SEARCH', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "routing@example.com"',
    });
    expect(found.body.Resources[0].id).toBe(id);
  });

  it("tolerates unknown query parameters, Entra's feature flag and a trailing slash", async () => {
    expect((await stack.scim('GET', '/Users/?aadOptscim062020&foo=bar&count=1')).status).toBe(200);
    expect((await stack.scim('GET', '/users?startindex=0&COUNT=-1')).body).toMatchObject({
      startIndex: 1,
      Resources: [],
    });
  });
});
