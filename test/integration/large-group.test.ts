/**
 * Group membership at scale: one Entra PATCH adding 100 members to an app that allows 20 calls a second,
 * with a request time budget that fits about 60 of them. Without progress, each retry re-sent what was
 * applied and the group never finished; now each retry sends only the rest, and the 503 says how long the
 * rest takes. With the connector's bulk call the same PATCH is two calls.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { patchBody, ROOT, startStack, type Stack } from '../helpers/stack.ts';

const RATE = 20;
const MEMBERS = 100;

/** The demo connector without its bulk membership calls: one app call per member. */
function singleCallConnector(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-single-'));
  cpSync(join(ROOT, 'connectors', 'demo'), join(dir, 'demo'), { recursive: true });
  const file = join(dir, 'demo', 'connector.yaml');
  const yaml = readFileSync(file, 'utf8').replace(/\n {6}addMany:[\s\S]*?batchSize: \d+\n/, '\n');
  expect(yaml).not.toContain('addMany');
  writeFileSync(file, yaml);
  return dir;
}

async function usersAndGroup(
  stack: Stack,
  prefix: string,
): Promise<{ users: string[]; group: string; teamId: number }> {
  const users: string[] = [];
  for (let index = 0; index < MEMBERS; index++) {
    // Created in the demo app directly and adopted by a query, so the test spends no paced calls on them.
    const created = stack.demo.store.createUser({ user_name: `${prefix}${index}@contoso.com` });
    void created;
  }
  const list = await stack.scim(
    'GET',
    `/Users?filter=${encodeURIComponent(`userName sw "${prefix}"`)}&count=${MEMBERS}`,
  );
  expect(list.body.totalResults).toBe(MEMBERS);
  users.push(...list.body.Resources.map((user: { id: string }) => user.id));
  const group = await stack.scim('POST', '/Groups', {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
    displayName: `${prefix} group`,
  });
  expect(group.status).toBe(201);
  const teamId = Number((await stack.idMap.get('demo', 'Group', group.body.id))!.appId);
  return { users, group: group.body.id, teamId };
}

const stacks: Stack[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const stack of stacks) await stack.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('one PATCH adding 100 members to an app that allows 20 calls a second', () => {
  it('one call per member: finishes within 3 tries, resends only a call the deadline cut off, and each 503 says how long the rest takes', async () => {
    const dir = singleCallConnector();
    dirs.push(dir);
    const stack = await startStack({
      rate: RATE,
      requestTimeout: '3s',
      connectorDirs: [dir],
      demoApp: { rateLimit: { requests: RATE, per: '1s', concurrency: 4, buckets: {} } },
    });
    stacks.push(stack);
    const { users, group, teamId } = await usersAndGroup(stack, 'single');
    stack.demo.log.length = 0;
    const add = patchBody({ op: 'Add', path: 'members', value: users.map((value) => ({ $ref: null, value })) });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await stack.scim('PATCH', `/Groups/${group}`, add);
      statuses.push(reply.status);
      if (reply.status === 204) break;
      expect(reply.status).toBe(503);
      const left = MEMBERS - stack.demo.store.listMembers(teamId).total;
      expect(left).toBeGreaterThan(0);
      // Sized to what remains at the app's budget (rounded up), never below a second.
      expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(Math.max(1, Math.floor(left / RATE)));
      expect(reply.body.detail).toMatch(/member changes/);
    }
    expect(statuses.at(-1)).toBe(204);
    expect(statuses.length).toBeGreaterThan(1); // the budget really was too small for one try
    expect(stack.demo.store.listMembers(teamId).total).toBe(MEMBERS);
    const puts = stack.demo.log.filter((entry) => entry.method === 'PUT').map((entry) => entry.path);
    expect(new Set(puts).size).toBe(MEMBERS);
    // Members go one call at a time. A call still on the wire at a try's deadline is given up, so its outcome
    // is unknown and the next try sends it again (a PUT: harmless); nothing else is sent twice. On a quiet
    // machine the deadline falls between calls and there is no repeat at all.
    const tries503 = statuses.filter((status) => status === 503).length;
    expect(puts.length - MEMBERS).toBeLessThanOrEqual(tries503);
    expect(stack.demo.log.filter((entry) => entry.status === 429)).toHaveLength(0);
    // Done: the group reads back with every member, and a repeat of the PATCH is idempotent in the app.
    const read = await stack.scim('GET', `/Groups/${group}`);
    expect(read.body.members).toHaveLength(MEMBERS);
  });

  it("with the connector's bulk call: two calls of 50, in one try", async () => {
    const stack = await startStack({
      rate: RATE,
      requestTimeout: '2500ms',
      demoApp: { rateLimit: { requests: RATE, per: '1s', concurrency: 4, buckets: {} } },
    });
    stacks.push(stack);
    const { users, group, teamId } = await usersAndGroup(stack, 'bulk');
    stack.demo.log.length = 0;
    const reply = await stack.scim(
      'PATCH',
      `/Groups/${group}`,
      patchBody({ op: 'Add', path: 'members', value: users.map((value) => ({ value })) }),
    );
    expect(reply.status).toBe(204);
    expect(stack.demo.log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
      `POST /api/teams/${teamId}/members`,
      `POST /api/teams/${teamId}/members`,
    ]);
    expect(stack.demo.store.listMembers(teamId).total).toBe(MEMBERS);
  });
});
