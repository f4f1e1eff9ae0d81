/**
 * `scimgw connector from-openapi`: a draft made from a vendor's OpenAPI document loads, passes its own
 * recorded fixtures and agrees with the document; drafted from the demo app's description and given the
 * edits its README asks for, it provisions Entra's whole lifecycle against the running demo app. GitHub's
 * and Asana's real descriptions draft connectors that load, with their traps flagged for review.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';
import { checkSpec } from '../../src/connectors/openapi/check-spec.ts';
import { draftConnector } from '../../src/connectors/openapi/draft/draft.ts';
import { loadWithFixtures, runCases } from '../../src/cli/commands/connector/run-cases.ts';
import { cleanupTemp, tempRoot } from '../connectors/helpers.ts';
import { ENTERPRISE, entraUser, patchBody, startStack } from '../helpers/stack.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SCHEMA = join(ROOT, 'schemas', 'connector.schema.json');
afterAll(cleanupTemp);

async function draft(file: string, name: string, collections: { users?: string; groups?: string }) {
  const parent = tempRoot();
  const result = await draftConnector({ file, parent, name, schemaFile: SCHEMA, ...collections });
  return { ...result, parent };
}

async function fixtureProblems(dir: string): Promise<string[]> {
  const loaded = loadWithFixtures(dir);
  const outcomes = await runCases(dir, loaded);
  expect(outcomes.length).toBeGreaterThan(5);
  return outcomes.flatMap((outcome) =>
    outcome.problems.map((problem) => `${outcome.name}: ${JSON.stringify(problem)}`),
  );
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe("a draft from the demo app's OpenAPI description", () => {
  it('loads, passes its recorded fixtures, agrees with the document and proposes the obvious mappings', async () => {
    const result = await draft(join(ROOT, 'connectors', 'demo', 'openapi', 'demo-app.json'), 'demo-draft', {
      users: '/users',
      groups: '/teams',
    });
    expect(result.loads).toBe(true);
    expect(result.caseProblems).toEqual([]);
    expect(await fixtureProblems(result.dir)).toEqual([]);
    expect((await checkSpec(result.dir)).findings).toEqual([]);
    const loaded = loadWithFixtures(result.dir);
    const user = loaded.connector.resources.User!;
    expect(
      ['create', 'get', 'list', 'update', 'deactivate', 'reactivate', 'delete'].filter(
        (name) => user[name as keyof typeof user] === undefined,
      ),
    ).toEqual([]);
    expect(
      Object.keys(loaded.connector.resources.Group!.members!)
        .filter((key) => key !== 'batchSize')
        .sort(),
    ).toEqual(['add', 'addMany', 'list', 'remove', 'removeMany']);
    const toApp = read(result.dir, 'mappings/user-to-app.jsonata');
    for (const line of [
      '"user_name": userName',
      '"first_name": name.givenName',
      '"job_title": title',
      '"external_ref": externalId',
    ])
      expect(toApp).toContain(line);
    // The demo app has deactivate/activate calls, so the status is not also sent as a field on updates.
    expect(toApp).not.toContain('"status"');
    const manifest = read(result.dir, 'connector.yaml');
    expect(manifest).toContain('query: { "user_name": "{{ $filter.value }}" }');
    expect(manifest).toContain('pagination: { type: page, pageParam: "page", sizeParam: "per_page"');
    expect(manifest).toContain('name: "X-Api-Key"');
    // The demo app says "taken" with a 422, not a 409: the draft cannot know, and says so.
    expect(result.review).toContain(
      'POST /users documents no 409: find how the app says the object exists (an outcome rule with result: conflict lets the gateway adopt it)',
    );
    expect(result.review).toContain(
      "deactivation: Entra's disable calls POST /users/{id}/deactivate and enable POST /users/{id}/activate; check that a deactivated user keeps its data and can sign in again after reactivation",
    );
    const readme = read(result.dir, 'README.md');
    expect(readme).toContain('| add many | `POST /teams/{id}/members` |');
    expect(readme).toContain(
      '| 422 | `fail` (a drafted rule): if some 422 means "already exists", add a `conflict` rule with `when` before it |',
    );
    expect(readme).not.toContain('| 409 |');
  });

  it("with the edits its README asks for, provisions Entra's lifecycle against the demo app", async () => {
    const result = await draft(join(ROOT, 'connectors', 'demo', 'openapi', 'demo-app.json'), 'demo-draft', {
      users: '/users',
      groups: '/teams',
    });
    // The REVIEW edits a person makes after reading the demo app's docs: its 422 "taken" means the object
    // exists (so adopt can link it), and its filters match exactly.
    const manifestFile = join(result.dir, 'connector.yaml');
    const edited = read(result.dir, 'connector.yaml')
      .replaceAll(
        '          - { status: [422], result: fail, message: the app refused the values }',
        '          - { status: [422], when: \'error.code = "taken"\', result: conflict }\n          - { status: [422], result: fail, message: the app refused the values }',
      )
      .replaceAll('"{{ $filter.value }}" } }', '"{{ $filter.value }}" }, exact: true }');
    expect(edited).not.toBe(read(result.dir, 'connector.yaml'));
    writeFileSync(manifestFile, edited);
    expect(await fixtureProblems(result.dir)).toEqual([]);

    const stack = await startStack({ connectorDirs: [result.parent], connector: 'demo-draft' });
    try {
      const probe = await stack.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "0b7a1c7e-probe"')}`);
      expect(probe.status).toBe(200);
      expect(probe.body.totalResults).toBe(0);

      const created = await stack.scim(
        'POST',
        '/Users',
        entraUser('jane@contoso.test', {
          active: 'True',
          displayName: 'Jane Doe',
          title: 'Engineer',
          name: { givenName: 'Jane', familyName: 'Doe' },
          [ENTERPRISE]: { department: 'R&D', employeeNumber: '42' },
        }),
      );
      expect(created.status).toBe(201);
      const appUser = () =>
        stack.demo.store.listUsers({}).items.find((user) => user.user_name === 'jane@contoso.test')!;
      expect(appUser()).toMatchObject({
        email: 'jane@contoso.test',
        first_name: 'Jane',
        last_name: 'Doe',
        job_title: 'Engineer',
        department: 'R&D',
        employee_no: '42',
        status: 'active',
      });

      const found = await stack.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "jane@contoso.test"')}`);
      expect(found.body.Resources.map((user: { id: string }) => user.id)).toEqual([created.body.id]);
      const path = `/Users/${created.body.id}`;
      expect(
        (await stack.scim('PATCH', path, patchBody({ op: 'Replace', path: 'title', value: 'Lead' }))).status,
      ).toBeLessThan(300);
      expect(appUser().job_title).toBe('Lead');
      expect(
        (await stack.scim('PATCH', path, patchBody({ op: 'Replace', path: 'active', value: 'False' }))).status,
      ).toBeLessThan(300);
      expect(appUser().status).toBe('inactive');
      expect((await stack.scim('GET', path)).body.active).toBe(false);
      expect(
        (await stack.scim('PATCH', path, patchBody({ op: 'Replace', path: 'active', value: true }))).status,
      ).toBeLessThan(300);
      expect(appUser().status).toBe('active');

      // Someone the app already has: the 422 "taken" now links the existing user instead of failing.
      const existing = stack.demo.store.createUser({ user_name: 'kim@contoso.test', status: 'active' });
      const adopted = await stack.scim('POST', '/Users', entraUser('kim@contoso.test'));
      expect(adopted.status).toBe(201);
      expect((await stack.idMap.get('demo', 'User', adopted.body.id))!.appId).toBe(String(existing.id));

      const group = await stack.scim('POST', '/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Engineering',
        externalId: 'g-1',
      });
      expect(group.status).toBe(201);
      const groupPath = `/Groups/${group.body.id}`;
      const members = [{ value: created.body.id }, { value: adopted.body.id }];
      expect(
        (await stack.scim('PATCH', groupPath, patchBody({ op: 'Add', path: 'members', value: members }))).status,
      ).toBeLessThan(300);
      const team = stack.demo.store.listTeams({}).items.find((entry) => entry.name === 'Engineering')!;
      expect(
        stack.demo.store
          .listMembers(team.id)
          .items.map((member) => member.user_id)
          .sort(),
      ).toEqual([appUser().id, existing.id].sort());
      const read = await stack.scim('GET', groupPath);
      expect(read.body.members.map((member: { value: string }) => member.value).sort()).toEqual(
        [created.body.id, adopted.body.id].sort(),
      );
      expect(
        (
          await stack.scim(
            'PATCH',
            groupPath,
            patchBody(
              { op: 'Remove', path: 'members', value: [{ value: adopted.body.id }] },
              { op: 'Replace', path: 'displayName', value: 'Engineering EMEA' },
            ),
          )
        ).status,
      ).toBeLessThan(300);
      expect(stack.demo.store.getTeam(team.id)!.name).toBe('Engineering EMEA');
      expect(stack.demo.store.listMembers(team.id).items.map((member) => member.user_id)).toEqual([appUser().id]);

      expect((await stack.scim('DELETE', groupPath)).status).toBe(204);
      expect(stack.demo.store.getTeam(team.id)).toBeUndefined();
      const userId = appUser().id;
      expect((await stack.scim('DELETE', path)).status).toBe(204);
      expect(stack.demo.store.getUser(userId)).toBeUndefined();
      expect((await stack.scim('GET', path)).status).toBe(404);
    } finally {
      await stack.close();
    }
  });
});

describe("drafts from vendors' descriptions", () => {
  it('GitHub: the {org} of the collection becomes a setting, and the membership check that answers no object is flagged', async () => {
    const result = await draft('npm:@octokit/openapi/generated/api.github.com.json', 'github-draft', {
      users: '/orgs/{org}/members',
      groups: '/orgs/{org}/teams',
    });
    expect(result.loads).toBe(true);
    expect(await fixtureProblems(result.dir)).toEqual([]);
    expect((await checkSpec(result.dir)).findings).toEqual([]);
    const manifest = read(result.dir, 'connector.yaml');
    expect(manifest).toContain('url: "/orgs/{{ $config.org }}/teams/{{ $id }}"');
    // Members are added by PUT …/memberships/{username} but listed at …/members.
    expect(manifest).toContain(
      'request: { method: PUT, url: "/orgs/{{ $config.org }}/teams/{{ $id }}/memberships/{{ $member }}" }',
    );
    expect(manifest).toContain('request: { method: GET, url: "/orgs/{{ $config.org }}/teams/{{ $id }}/members" }');
    expect(manifest).toContain('env: GITHUB_DRAFT_ORG');
    // Teams are addressed by slug, which the draft reads from the route's {team_slug}.
    expect(manifest).toContain('id: $string(slug)');
    expect(manifest).toContain('pagination: { type: page, pageParam: "page", sizeParam: "per_page"');
    expect(result.review).toEqual(
      expect.arrayContaining([
        'GET /orgs/{org}/members/{username} answers no object: reads need a route that returns it (get.request), or steps that fetch it',
        '/orgs/{org}/members/{username}: no field of the object is named like {username}; the draft takes "id" as the app id (set response.id and list.id to the field the route takes)',
        'auth: the document names no usable security scheme; a bearer token is assumed',
        "deactivation: the document shows no deactivate route and no status field: decide what Entra's disable means for this app (delete, remove a licence, or unsupported) before assigning users",
        // GitHub's team member list includes the members of child teams, unmarked.
        'membership: check whether adding a member twice or removing a non-member is harmless in the app, whether a member must be active, and whether GET /orgs/{org}/teams/{team_slug}/members lists nested members too',
      ]),
    );
  });

  it('Asana: items at /teams/{gid} below a workspace list, the data envelope, the offset token and read-only fields', async () => {
    const result = await draft(
      join(ROOT, 'test', 'fixtures', 'openapi', 'asana-users-teams.slice.yaml'),
      'asana-draft',
      { users: '/users', groups: '/workspaces/{workspace_gid}/teams' },
    );
    expect(result.loads).toBe(true);
    expect(await fixtureProblems(result.dir)).toEqual([]);
    expect((await checkSpec(result.dir)).findings).toEqual([]);
    const manifest = read(result.dir, 'connector.yaml');
    expect(manifest).toContain('request: { method: POST, url: "/teams", body: "{ \\"data\\": $app }" }');
    expect(manifest).toContain('request: { method: GET, url: "/teams/{{ $id }}" }');
    expect(manifest).toContain('response: { select: data, id: $string(gid) }');
    expect(manifest).toContain(
      'pagination: { type: cursor, cursorParam: "offset", sizeParam: "limit", pageSize: 100, cursor: next_page.offset }',
    );
    // Asana answers a user's e-mail but PUT /users/{gid} takes no such field: it is read, never written.
    expect(read(result.dir, 'mappings/user-to-app.jsonata')).not.toContain('email');
    expect(read(result.dir, 'mappings/user-to-scim.jsonata')).toContain('"userName": email');
    expect(read(result.dir, 'README.md')).toContain(
      "`email` ↔ userName (read only: the app's requests do not take it)",
    );
  });
});

describe('the command', () => {
  const cli = (...args: string[]) => scimgw(['connector', 'from-openapi', ...args], { cwd: ROOT });

  it('drafts into --dir and prints what to review', async () => {
    const parent = tempRoot();
    const run = await cli(
      'connectors/demo/openapi/demo-app.json',
      '--users',
      '/users',
      '--dir',
      parent,
      '--name',
      'acme',
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`drafted ${join(parent, 'acme')}/`);
    expect(run.stdout).toContain('review before use');
    expect(read(join(parent, 'acme'), 'connector.yaml')).toMatch(
      /^# yaml-language-server: \$schema=.*schemas\/connector\.schema\.json$/m,
    );
    const again = await cli(
      'connectors/demo/openapi/demo-app.json',
      '--users',
      '/users',
      '--dir',
      parent,
      '--name',
      'acme',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
  });

  it('refuses without a collection, or with a path the document does not have', async () => {
    const none = await cli('connectors/demo/openapi/demo-app.json');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--users <path>');
    const missing = await cli('connectors/demo/openapi/demo-app.json', '--users', '/people', '--dir', tempRoot());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--users /people: the document has no such collection');
  });
});
