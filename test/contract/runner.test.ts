/** The fixture runner must catch every kind of difference, or the contract test proves nothing. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/connectors/loader.ts';
import { fixtureCase, loadFixtureApp } from '../../src/connectors/testing/fixture.ts';
import { runFixture } from '../../src/connectors/testing/run-fixture.ts';
import { subsetMismatches } from '../../src/connectors/testing/subset.ts';

const DIR = join(import.meta.dirname, '..', '..', 'connectors', 'demo');
const connector = loadConnector(DIR);
const app = loadFixtureApp(DIR);
const given = { users: { 'u-1': { appId: '5', userName: 'jane@acme.test' } } };
const ok = {
  request: { method: 'GET', url: '/users/5' },
  response: { status: 200, body: { id: 5, user_name: 'jane@acme.test', status: 'active' } },
};
const run = (fixture: unknown) => runFixture(DIR, connector, app, fixtureCase.parse(fixture));

describe('fixture runner', () => {
  it('passes a correct case', async () => {
    const result = await run({
      description: 'ok',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      exchanges: [ok],
      expect: { status: 200, body: { userName: 'jane@acme.test' } },
    });
    expect(result.problems).toEqual([]);
    expect(result.operations).toEqual(['User.get']);
  });

  it('reports a call the case did not declare (the network is locked)', async () => {
    const result = await run({
      description: 'x',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      exchanges: [],
      expect: { status: 200 },
    });
    expect(result.problems.join('\n')).toMatch(/call 1: GET \/api\/users\/5 was not declared/);
  });

  it('reports a declared call that was never made', async () => {
    const result = await run({
      description: 'x',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      exchanges: [ok, ok],
      expect: { status: 200 },
    });
    expect(result.problems).toEqual(['call 2 (GET /users/5) was declared but not made']);
  });

  it('reports method, url, query, header and body differences, and a wrong SCIM answer', async () => {
    const result = await run({
      description: 'x',
      given,
      request: { method: 'GET', path: '/Users/u-1' },
      exchanges: [
        {
          request: {
            method: 'POST',
            url: '/users/6',
            query: { page: '2' },
            headers: { 'X-Api-Key': 'other' },
            body: { a: 1 },
          },
          response: ok.response,
        },
      ],
      expect: { status: 201, body: { userName: 'someone@else' } },
    });
    const text = result.problems.join('\n');
    expect(text).toMatch(/method: expected POST, got GET/);
    expect(text).toMatch(
      /url: expected https:\/\/demo\.example\/api\/users\/6, got https:\/\/demo\.example\/api\/users\/5/,
    );
    expect(text).toMatch(/query\.page: expected "2", got nothing/);
    expect(text).toMatch(/headers\.x-api-key: expected "other", got "test-key"/);
    expect(text).toMatch(/body: expected an object, got undefined/);
    expect(text).toMatch(/SCIM answer: expected status 201, got 200/);
    expect(text).toMatch(/SCIM body\.userName: expected "someone@else", got "jane@acme.test"/);
  });

  it('matches subsets: listed keys only, arrays element by element, "*" for presence', () => {
    expect(subsetMismatches({ a: 1 }, { a: 1, b: 2 })).toEqual([]);
    expect(subsetMismatches([{ a: 1 }], [{ a: 1, b: 2 }])).toEqual([]);
    expect(subsetMismatches([{ a: 1 }], [{ a: 1 }, { a: 2 }])).toEqual([
      '(root): expected 1 items, got 2: [{"a":1},{"a":2}]',
    ]);
    expect(subsetMismatches({ h: '*' }, {})).toEqual(['h: expected a value, got nothing']);
    expect(subsetMismatches({ page: 1 }, { page: '1' })).toEqual([]);
  });
});
