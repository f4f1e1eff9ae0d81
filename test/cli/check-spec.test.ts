/**
 * `scimgw connector check-spec`: the bundled connectors agree with their vendors' OpenAPI documents, and
 * each kind of disagreement is reported at the file, line and column to fix — the old Asana opt_fields, a
 * call to a route the document lacks, a mapping reading a field no answer has.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';
import { checkSpec } from '../../src/connectors/openapi/check-spec.ts';
import { cleanupTemp, tempRoot } from '../connectors/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
afterAll(cleanupTemp);

function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  expect(index, `${text} in ${file}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

/** A copy of a bundled connector with some of its files edited. */
function variant(name: string, edits: Record<string, (text: string) => string>): string {
  const dir = join(tempRoot(), name);
  cpSync(join(ROOT, 'connectors', name), dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = edit(before);
    expect(after, `${file} was not changed`).not.toBe(before);
    writeFileSync(path, after);
  }
  return dir;
}

describe('the bundled connectors', () => {
  it.each(['asana', 'auth0', 'github', 'redmine', 'zendesk', 'demo'])(
    "%s agrees with its vendor's document",
    async (name) => {
      const report = await checkSpec(join(ROOT, 'connectors', name));
      expect(report.findings).toEqual([]);
      expect(report.routes.filter((route) => route.status === 'ok').length).toBeGreaterThan(3);
    },
  );
});

describe('findings, where to fix them', () => {
  it('the old Asana opt_fields=workspaces on addUser, at the fixture exchange, with the values the document allows (CLI, exit 1)', async () => {
    const old = (text: string) =>
      text.replaceAll('opt_fields: "name,email" }', 'opt_fields: "name,email,workspaces" }');
    const dir = variant('asana', { 'connector.yaml': old, 'fixtures/user-create.yaml': old });
    const run = await scimgw(['connector', 'check-spec', dir], { cwd: ROOT });
    expect(run.code).toBe(1);
    // Reported once, at the first case that makes the call, on the line of that exchange's request.
    const found =
      /(\S+\.yaml):(\d+):\d+ exchanges\[0\]\.request(?:\.query)?: query parameter "opt_fields" is "workspaces"; the document allows "email", "name", "photo"/.exec(
        run.stderr,
      );
    expect(found, run.stderr).not.toBeNull();
    const reported = readFileSync(found![1]!, 'utf8').split('\n')[Number(found![2]) - 1]!;
    expect(reported).toMatch(/- request:.*addUser|- request:\s*$/);
    expect(run.stderr).toMatch(/\d+ findings? against .*asana\.slice\.yaml/);
  });

  it('a fixture whose call goes to a route the document does not have', async () => {
    const dir = variant('asana', {
      'connector.yaml': (text) =>
        text.replace(
          '          url: "/users/{{ $id }}"\n          query: { opt_fields: email }',
          '          url: "/users/{{ $id }}/email"\n          query: { opt_fields: email }',
        ),
      'fixtures/user-update-email.yaml': (text) =>
        text.replace(
          'url: /users/1200000000000111, query: { opt_fields: email }',
          'url: /users/1200000000000111/email, query: { opt_fields: email }',
        ),
    });
    const { findings } = await checkSpec(dir);
    const fixture = join(dir, 'fixtures', 'user-update-email.yaml');
    expect(findings).toContainEqual({
      file: fixture,
      line: lineOf(fixture, '/users/1200000000000111/email'),
      col: expect.any(Number),
      path: 'exchanges[0].request',
      message: expect.stringMatching(
        /^GET \/users\/1200000000000111\/email: the document has no such path; fix the call, or list the route under openapi\.undocumented/,
      ),
    });
  });

  it("a mapping that reads a field no documented answer has, at the mapping file's line and column", async () => {
    const dir = variant('asana', {
      'mappings/user-to-scim.jsonata': (text) =>
        text.replace('"displayName": name,', '"displayName": name,\n  "nickName": handle,'),
    });
    const { findings } = await checkSpec(dir);
    const mapping = join(dir, 'mappings', 'user-to-scim.jsonata');
    expect(findings).toContainEqual(
      expect.objectContaining({
        file: mapping,
        line: lineOf(mapping, '"nickName": handle'),
        col: 15,
        message: expect.stringMatching(
          /^toScim reads "handle", which no documented answer has \(GET \/users\/\{user_gid\}/,
        ),
      }),
    );
  });

  it('an outcome rule for a status the document does not list for the call', async () => {
    const dir = variant('auth0', {
      'connector.yaml': (text) =>
        text.replace(
          '- { status: [400], when: \'$contains($lowercase($string(message)), "already exist")\', result: conflict, message: another role already has this name }',
          '- { status: [409], result: conflict, message: another role already has this name }',
        ),
    });
    const { findings } = await checkSpec(dir);
    expect(findings).toContainEqual(
      expect.objectContaining({
        path: 'resources.Group.operations.update.outcomes[0]',
        message: expect.stringContaining(
          'an outcome rule for 409 on PATCH /roles/{id}, which the document does not list for it',
        ),
      }),
    );
  });

  it('a status the fixture answers that the operation does not document', async () => {
    const dir = variant('asana', {
      'fixtures/user-deactivate.yaml': (text) =>
        text.replace('      status: 200\n      body: { data: {} }', '      status: 204'),
    });
    const { findings } = await checkSpec(dir);
    expect(findings).toContainEqual(
      expect.objectContaining({
        path: 'exchanges[1].response.status',
        message: expect.stringContaining(
          'the fixture answers 204, which the document does not list for this operation',
        ),
      }),
    );
  });
});
