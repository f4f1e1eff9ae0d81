import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startApp, type Running } from './helpers.ts';

let t: Running;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.app.close());
beforeEach(() => t.app.reset());

describe('listen', () => {
  it('reports a 127.0.0.1 url with the bound port', () => {
    expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('auth', () => {
  it('rejects a missing key with 401 unauthorized', async () => {
    const res = await t.call('GET', '/api/users', { key: null });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
  });

  it('rejects a wrong key with 401', async () => {
    expect((await t.call('GET', '/api/users', { key: 'nope' })).status).toBe(401);
    expect((await t.call('POST', '/api/users', { key: 'test-key-12', body: { user_name: 'x' } })).status).toBe(401);
    expect(t.app.store.userCount).toBe(0);
  });

  it('accepts the right key and sends no rate-limit headers when unlimited', async () => {
    const res = await t.call('GET', '/api/users');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('malformed requests', () => {
  it('answers 400 bad_json for broken JSON, non-object and empty bodies', async () => {
    for (const raw of ['{"user_name": ', '[1,2]', 'null', '"text"', '']) {
      const res = await t.call('POST', '/api/users', { raw });
      expect(res.status, raw).toBe(400);
      expect(res.body.error.code).toBe('bad_json');
    }
    expect((await t.call('PATCH', '/api/teams/1', { raw: '{' })).status).toBe(404);
  });

  it('answers 404 not_found for ids that are not positive integers', async () => {
    await t.call('POST', '/api/teams', { body: { name: 'T' } });
    await t.call('POST', '/api/users', { body: { user_name: 'u' } });
    const paths: Array<[string, string]> = [
      ['GET', '/api/users/abc'],
      ['GET', '/api/users/0'],
      ['GET', '/api/users/-1'],
      ['GET', '/api/users/1.5'],
      ['GET', '/api/users/1e2'],
      ['GET', '/api/users/99999999999999999999'],
      ['PATCH', '/api/users/x'],
      ['DELETE', '/api/users/01'],
      ['POST', '/api/users/abc/deactivate'],
      ['GET', '/api/teams/abc'],
      ['GET', '/api/teams/abc/members'],
      ['PUT', '/api/teams/1/members/abc'],
      ['DELETE', '/api/teams/1/members/0'],
    ];
    for (const [method, path] of paths) {
      const res = await t.call(method, path, method === 'PATCH' ? { body: {} } : {});
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('answers 413 for bodies over 1 MiB without creating anything', async () => {
    const res = await t.call('POST', '/api/users', {
      body: { user_name: 'big', job_title: 'x'.repeat(1024 * 1024) },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(t.app.store.userCount).toBe(0);
    // The connection stays usable for the next request.
    expect((await t.call('GET', '/api/users')).status).toBe(200);
  });

  it('answers 404 for unknown routes and 405 with Allow for wrong methods', async () => {
    expect((await t.call('GET', '/api/widgets')).body.error.code).toBe('not_found');
    expect((await t.call('GET', '/nowhere', { key: null })).status).toBe(404);
    const res = await t.call('PUT', '/api/users');
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect((await t.call('GET', '/_reset', { key: null })).status).toBe(405);
  });
});

describe('control endpoints', () => {
  it('/_stats counts /api requests but not itself, without a key', async () => {
    await t.call('GET', '/api/users');
    await t.call('GET', '/api/users', { key: null });
    await t.call('POST', '/api/users', { body: { user_name: 'a' } });
    await t.call('POST', '/api/teams', { body: { name: 'A' } });
    await t.call('GET', '/_stats', { key: null });
    const res = await t.call('GET', '/_stats', { key: null });
    expect(res.body).toEqual({ requests: 4, rate_limited: 0, faults: 0, users: 1, teams: 1 });
    expect(t.app.stats()).toEqual(res.body);
  });

  it('/_reset clears data, id counters and stats', async () => {
    await t.call('POST', '/api/users', { body: { user_name: 'a' } });
    await t.call('POST', '/api/users', { body: { user_name: 'b' } });
    const reset = await t.call('POST', '/_reset', { key: null });
    expect(reset.status).toBe(204);
    expect(t.app.stats()).toEqual({ requests: 0, rate_limited: 0, faults: 0, users: 0, teams: 0 });
    expect(t.app.log).toEqual([]);
    const created = await t.call('POST', '/api/users', { body: { user_name: 'a' } });
    expect(created.body.id).toBe(1);
  });

  it('logs /api requests that passed auth, oldest first', async () => {
    await t.call('GET', '/api/users', { key: null });
    await t.call('POST', '/api/users', { body: { user_name: 'a', extra: true } });
    await t.call('GET', '/api/users?user_name=a&page=2');
    await t.call('GET', '/api/users/7');
    expect(t.app.log).toEqual([
      { method: 'POST', path: '/api/users', query: {}, body: { user_name: 'a', extra: true }, status: 201 },
      { method: 'GET', path: '/api/users', query: { user_name: 'a', page: '2' }, body: undefined, status: 200 },
      { method: 'GET', path: '/api/users/7', query: {}, body: undefined, status: 404 },
    ]);
  });
});
