/**
 * `scimgw conformance` as a user runs it: against this gateway's demo (everything passes), against a
 * deliberately broken SCIM server (the matching checks fail with their reasons), against nothing at all,
 * and with wrong arguments.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';
import { startBrokenScimServer, type BrokenScimServer } from '../fixtures/broken-scim-server.ts';
import { ROOT, startStack, TOKEN, type Stack } from '../helpers/stack.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

async function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const run = await scimgw(args, { cwd: ROOT, env });
  return { ...run, lines: run.stdout.trim().split('\n') };
}

const lineOf = (run: Run, id: string) => run.lines.find((line) => line.split(' ')[1] === id) ?? `(no line for ${id})`;

let stack: Stack;
let broken: BrokenScimServer;
beforeAll(async () => {
  [stack, broken] = await Promise.all([startStack(), startBrokenScimServer('broken-token')]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), broken?.close()]);
});

describe('scimgw conformance', () => {
  it('passes every check against the gateway in front of the demo app, and leaves nothing behind', async () => {
    const run = await cli(['conformance', stack.base, '--token', TOKEN]);
    expect(run.stderr).toBe('');
    const checks = run.lines.slice(0, -1);
    expect(checks.length).toBeGreaterThanOrEqual(25);
    for (const line of checks) expect(line).toMatch(/^PASS \S+ /);
    expect(run.lines.at(-1)).toBe(`${checks.length} passed, 0 failed, 0 skipped`);
    expect(run.code).toBe(0);
    for (const id of [
      'users.test-connection',
      'users.create-string-active',
      'users.patch-no-path',
      'groups.remove-member-value',
      'groups.membership-check',
      'users.delete',
      'content-type',
    ]) {
      expect(lineOf(run, id)).toMatch(/^PASS /);
    }
    expect(
      stack.demo.store.listUsers().items.filter((user) => user.user_name.startsWith('scimgw-conformance-')),
    ).toEqual([]);
    expect(stack.demo.store.listTeams({}).items.filter((team) => team.name.startsWith('scimgw-conformance-'))).toEqual(
      [],
    );
  });

  it('fails the checks a broken SCIM server trips over, with reasons, exits 1 and cleans up', async () => {
    const run = await cli(['conformance', broken.url, '--token', 'broken-token', '--timeout', '5s']);
    expect(run.code).toBe(1);
    expect(lineOf(run, 'users.test-connection')).toMatch(
      /^FAIL .*: a query with no match answered 404; Entra expects 200 with an empty ListResponse/,
    );
    expect(lineOf(run, 'groups.probe')).toMatch(/^FAIL .*answered 404/);
    expect(lineOf(run, 'content-type')).toMatch(
      /^FAIL .*: \d+ of \d+ answers had another type, first .* with "application\/json"$/,
    );
    expect(lineOf(run, 'users.create-string-active')).toMatch(
      /^FAIL .*: the created user has active "True", expected the boolean true$/,
    );
    expect(lineOf(run, 'users.disable')).toMatch(
      /^FAIL .*: after the PATCH, GET shows active "False", expected the boolean false$/,
    );
    expect(lineOf(run, 'users.filter-username')).toMatch(/^FAIL .*userName is case-insensitive\) found nothing/);
    expect(lineOf(run, 'auth.wrong-token')).toMatch(/^FAIL .*answered 403 .*expected 401$/);
    expect(lineOf(run, 'groups.remove-member-value')).toMatch(
      /^FAIL .*: every member was removed; Entra means "remove only the members in value"$/,
    );
    // What the server gets right still passes.
    for (const id of [
      'auth.missing-token',
      'users.create',
      'users.duplicate',
      'users.get-unknown',
      'users.patch-no-path',
      'users.patch-filtered-path',
      'users.patch-manager',
      'groups.add-members',
      'groups.remove-member-filter',
      'groups.delete',
    ]) {
      expect(lineOf(run, id)).toMatch(/^PASS /);
    }
    expect(run.lines.at(-1)).toMatch(/^\d+ passed, 11 failed, 0 skipped$/);
    expect(broken.users.size + broken.groups.size).toBe(0);
  });

  it('skips the group checks when /ResourceTypes lists no Group', async () => {
    const usersOnly = await startBrokenScimServer('t', { groups: false });
    try {
      const run = await cli(['conformance', usersOnly.url, '--token', 't']);
      const groupLines = run.lines.filter((line) => line.split(' ')[1]?.startsWith('groups.'));
      expect(groupLines.length).toBeGreaterThanOrEqual(8);
      for (const line of groupLines)
        expect(line).toMatch(/^SKIP groups\.\S+ .*: \/ResourceTypes lists no Group resource type$/);
      expect(lineOf(run, 'users.create')).toMatch(/^PASS /);
    } finally {
      await usersOnly.close();
    }
  });

  it('reports an unreachable endpoint once and skips the rest; a silent one by the --timeout', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await cli(['conformance', `http://127.0.0.1:${port}/scim`, '--token', 't']);
    expect(refused.code).toBe(1);
    expect(refused.lines[0]).toMatch(/^FAIL auth\.missing-token .*: no answer: .*ECONNREFUSED/);
    expect(
      refused.lines.slice(1, -1).every((line) => line.endsWith(': the endpoint is unreachable (ECONNREFUSED)')),
    ).toBe(true);
    expect(refused.lines.at(-1)).toMatch(/^0 passed, 1 failed, \d+ skipped$/);

    const silent: Server = createServer(() => {
      // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const run = await cli([
        'conformance',
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}/scim`,
        '--token',
        't',
        '--timeout',
        '100ms',
      ]);
      expect(run.code).toBe(1);
      expect(run.lines[0]).toMatch(/^FAIL auth\.missing-token .*: GET \/Users\?count=1: no answer within 0\.1 s$/);
      expect(lineOf(run, 'users.get')).toBe(
        'SKIP users.get GET /Users/{id} returns the user: needs users.create, which failed',
      );
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses a bad URL, a bad --timeout and an unset token variable with exit 2 and a clear message', async () => {
    const badUrl = await cli(['conformance', 'not a url', '--token', 't']);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain('"not a url" is not a URL');
    const badTimeout = await cli(['conformance', stack.base, '--token', 't', '--timeout', 'soon']);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toContain('--timeout "soon" is not a duration');
    const { SCIMGW_TEST_NO_SUCH_TOKEN: _unset, ...env } = process.env;
    const unset = await cli(['conformance', stack.base, '--token', 'env:SCIMGW_TEST_NO_SUCH_TOKEN'], env);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('The environment variable SCIMGW_TEST_NO_SUCH_TOKEN is not set');
    const fromEnv = await cli(['conformance', stack.base, '--token', 'env:SCIMGW_TEST_TOKEN', '--timeout', '10'], {
      ...process.env,
      SCIMGW_TEST_TOKEN: TOKEN,
    });
    expect(fromEnv.code).toBe(0);
  });
});
