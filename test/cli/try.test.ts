/**
 * `scimgw try` driven as a user would: the CLI (in process) against a demo app, real request files
 * in a temp dir. The demo app's log is the proof of what reached it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scimgw, type CliRun } from '../helpers/cli.ts';
import { DryRunTransport, formatRequest, maskUrl } from '../../src/cli/dry-run-transport.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';

const API_KEY = 'demo-key-never-printed';

type Run = CliRun;

/** In process: the demo app lives in this process too. The environment is only what the test gives. */
function tryIt(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return scimgw(args, { env: { PATH: process.env.PATH ?? '', ...env } });
}

let demo: DemoApp;
let demoUrl: string;
let dir: string;
let env: Record<string, string>;

function requestFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const alice = {
  method: 'POST',
  path: '/Users',
  body: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'alice@example.com',
    active: true,
    name: { givenName: 'Alice', familyName: 'Liddell' },
    emails: [{ type: 'work', value: 'alice@example.com', primary: true }],
  },
};

beforeAll(async () => {
  demo = createDemoApp({ apiKey: API_KEY, rate: 0 });
  demoUrl = (await demo.listen()).url;
  dir = mkdtempSync(join(tmpdir(), 'scimgw-try-'));
  env = { DEMO_APP_URL: demoUrl, DEMO_APP_API_KEY: API_KEY };
});

afterAll(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => demo.reset());

describe('scimgw try', () => {
  it('prints the create it would send, masks the API key, answers 201 and sends nothing', async () => {
    const run = await tryIt(['try', 'demo', requestFile('create.json', alice)], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`POST ${demoUrl}/api/users\n`);
    expect(run.stdout).toContain('x-api-key: ****');
    expect(run.stdout).toContain('"user_name": "alice@example.com"');
    expect(run.stdout).toContain('"first_name": "Alice"');
    expect(run.stdout).toContain('"id": "dry-run-1"');
    expect(run.stdout).toMatch(/SCIM answer: 201 Created\n\{[\s\S]*"userName": "alice@example.com"/);
    expect(run.stdout).not.toContain(API_KEY);
    expect(demo.log).toEqual([]);
    expect(demo.stats().requests).toBe(0);
  });

  it('answers reads 404 without --allow-reads, so a query fails with exit 1 and reaches nothing', async () => {
    const run = await tryIt(
      [
        'try',
        'demo',
        requestFile('query.json', {
          method: 'GET',
          path: '/Users',
          query: { filter: 'userName eq "bob@example.com"' },
        }),
      ],
      env,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`GET ${demoUrl}/api/users?user_name=bob%40example.com`);
    expect(run.stdout).toContain('(not sent: reads need --allow-reads)');
    expect(run.stdout).toContain('SCIM answer: 404');
    expect(demo.stats().requests).toBe(0);
  });

  it('sends GETs with --allow-reads, and only GETs', async () => {
    const seeded = await fetch(`${demoUrl}/api/users`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ user_name: 'bob@example.com', email: 'bob@example.com' }),
    });
    expect(seeded.status).toBe(201);
    demo.log.length = 0;
    const query = await tryIt(
      [
        'try',
        'demo',
        requestFile('query.json', {
          method: 'get',
          path: '/Users',
          query: { filter: 'userName eq "bob@example.com"' },
        }),
        '--allow-reads',
      ],
      env,
    );
    expect(query.stderr).toBe('');
    expect(query.code).toBe(0);
    expect(query.stdout).toContain('(sent: --allow-reads)');
    expect(query.stdout).toContain('"totalResults": 1');
    expect(query.stdout).toContain('"userName": "bob@example.com"');
    const create = await tryIt(['try', 'demo', requestFile('create.json', alice), '--allow-reads'], env);
    expect(create.code).toBe(0);
    expect(demo.log.length).toBeGreaterThan(0);
    expect(demo.log.map((entry) => entry.method)).toEqual(demo.log.map(() => 'GET'));
    expect(demo.store.userCount).toBe(1);
  });

  it('reads ids from --store without writing to it: a PATCH reads the user and only prints the update', async () => {
    const seeded = await fetch(`${demoUrl}/api/users`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ user_name: 'carol@example.com', email: 'carol@example.com', job_title: 'Clerk' }),
    });
    const appId = String(((await seeded.json()) as { id: number }).id);
    demo.log.length = 0;
    const dataDir = join(dir, 'data');
    const store = new SqliteIdMap(join(dataDir, 'scimgw.sqlite'));
    const now = new Date().toISOString();
    await store.reserve({
      app: 'demo',
      kind: 'User',
      scimId: 'carol-scim-id',
      appId,
      key: 'carol@example.com',
      externalId: null,
      shadow: null,
      appHash: null,
      created: now,
      lastModified: now,
      committed: true,
    });
    await store.close();
    const patch = {
      method: 'PATCH',
      path: '/Users/carol-scim-id',
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'title', value: 'Queen' }],
      },
    };
    const run = await tryIt(
      ['try', 'demo', requestFile('patch.json', patch), '--store', `embedded:${dataDir}`, '--allow-reads'],
      env,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`PATCH ${demoUrl}/api/users/${appId}\n`);
    expect(run.stdout).toContain('"job_title": "Queen"');
    expect(run.stdout).toContain('SCIM answer: 204 No Content');
    expect(demo.log.map((entry) => entry.method)).toEqual(demo.log.map(() => 'GET'));
    expect(demo.store.getUser(Number(appId))?.job_title).toBe('Clerk');
    const after = new SqliteIdMap(join(dataDir, 'scimgw.sqlite'));
    expect((await after.get('demo', 'User', 'carol-scim-id'))?.lastModified).toBe(now);
    await after.close();
  });

  it("tries one app of a gateway.yaml without its inbound tokens, and reports that app's config problems", async () => {
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      [
        'apiVersion: scimgw/v1',
        'kind: Gateway',
        `connectorDirs: [${JSON.stringify(join(import.meta.dirname, '..', '..', 'connectors'))}]`,
        'apps:',
        '  - { id: crm, connector: demo, tokens: [file:/nonexistent/token], settings: { baseUrl: env:CRM_URL }, secrets: { apiKey: env:CRM_KEY } }',
        '  - { id: other, connector: demo, tokens: [env:UNSET_TOKEN], settings: { baseUrl: http://127.0.0.1:1 }, secrets: { apiKey: env:UNSET_KEY } }',
      ].join('\n'),
    );
    const file = requestFile('create.json', alice);
    const run = await tryIt(['try', 'crm', file, '--config', config], { CRM_URL: demoUrl, CRM_KEY: API_KEY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`POST ${demoUrl}/api/users\n`);
    expect(run.stdout).toContain('SCIM answer: 201');
    const broken = await tryIt(['try', 'crm', file], { SCIMGW_CONFIG: config, CRM_URL: demoUrl });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('apps.crm.secrets.apiKey');
    expect(demo.stats().requests).toBe(0);
  });

  it('rejects a malformed request file with exit 2 and says what is wrong', async () => {
    const notJson = await tryIt(['try', 'demo', requestFile('broken.json', '{ "method": "POST", ')], env);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('broken.json');
    expect(notJson.stderr).toContain('Not valid JSON');
    const wrongShape = await tryIt(
      ['try', 'demo', requestFile('shape.json', { method: 'FETCH', url: '/Users', query: { count: [1] } })],
      env,
    );
    expect(wrongShape.code).toBe(2);
    expect(wrongShape.stderr).toContain(
      'shape.json method: Expected one of GET, POST, PUT, PATCH, DELETE, got "FETCH"',
    );
    expect(wrongShape.stderr).toContain("shape.json path: Expected the path below the app's /scim/v2");
    expect(wrongShape.stderr).toContain('shape.json url: Unknown field');
    expect(wrongShape.stderr).toContain('shape.json query.count: Expected a string');
    const missing = await tryIt(['try', 'demo', join(dir, 'nope.json')], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read the request file: ENOENT');
    expect(demo.stats().requests).toBe(0);
  });

  it('names the apps it knows when the app is not configured, and refuses a store that is not there', async () => {
    const file = requestFile('create.json', alice);
    const unknown = await tryIt(['try', 'zendesk', file], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No app "zendesk" here (apps: "demo"); give --config FILE');
    const noStore = await tryIt(['try', 'demo', file, '--store', `embedded:${join(dir, 'no-data')}`], env);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain('No id map at');
  });
});

describe('DryRunTransport', () => {
  it('masks secret headers, query parameters and form fields', () => {
    expect(maskUrl('https://app.example/api/users?api_key=s3cret&page=2&access_token=t0k')).toBe(
      'https://app.example/api/users?api_key=****&page=2&access_token=****',
    );
    const lines = formatRequest({
      method: 'POST',
      url: 'https://app.example/oauth/token',
      headers: {
        Authorization: 'Basic abc',
        Cookie: 'sid=1',
        'X-Auth-Token': 't',
        Accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials&client_secret=s3cret&scope=users',
    }).join('\n');
    expect(lines).toContain('authorization: ****');
    expect(lines).toContain('cookie: ****');
    expect(lines).toContain('x-auth-token: ****');
    expect(lines).toContain('accept: application/json');
    expect(lines).toContain('client_secret=****');
    expect(lines).toContain('scope=users');
    expect(lines).not.toContain('s3cret');
  });

  it('answers writes without sending them: creates get an id (also in a wrapper), deletes 204, tokens a fake token', async () => {
    const printed: string[] = [];
    const transport = new DryRunTransport({ print: (lines) => printed.push(...lines) });
    const json = { 'content-type': 'application/json' };
    const wrapped = await transport.send(
      { method: 'POST', url: 'https://x.example/api/v2/users.json', headers: json, body: '{"user":{"name":"A"}}' },
      { timeoutMs: 1000 },
    );
    expect(wrapped.status).toBe(201);
    expect(JSON.parse(wrapped.body)).toEqual({ user: { name: 'A', id: 'dry-run-1' }, id: 'dry-run-1' });
    expect(wrapped.headers.location).toBe('https://x.example/api/v2/users.json/dry-run-1');
    const patch = await transport.send(
      { method: 'PATCH', url: 'https://x.example/u/1', headers: json, body: '{"a":1}' },
      { timeoutMs: 1000 },
    );
    expect([patch.status, JSON.parse(patch.body)]).toEqual([200, { a: 1 }]);
    expect(
      (await transport.send({ method: 'DELETE', url: 'https://x.example/u/1', headers: {} }, { timeoutMs: 1000 }))
        .status,
    ).toBe(204);
    expect(
      (await transport.send({ method: 'GET', url: 'https://x.example/u/1', headers: {} }, { timeoutMs: 1000 })).status,
    ).toBe(404);
    const token = await transport.send(
      {
        method: 'POST',
        url: 'https://x.example/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      },
      { timeoutMs: 1000 },
    );
    expect(JSON.parse(token.body).access_token).toBe('dry-run-token');
    expect(transport.calls).toHaveLength(5);
    expect(printed.join('\n')).toContain('(not sent: dry run, synthetic answer)');
  });
});
