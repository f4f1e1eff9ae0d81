/**
 * Entra's account discovery: GET /Users without a filter, paged with startIndex and count, over everything
 * the app holds (10,000 users made in the app before the gateway), with and without an app snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.ts';

const USERS = 10_000;
const PAGE = 100;

async function walk(stack: Stack): Promise<{ ids: Set<string>; userNames: Set<string>; totals: Set<number> }> {
  const ids = new Set<string>();
  const userNames = new Set<string>();
  const totals = new Set<number>();
  for (let startIndex = 1; startIndex <= USERS + PAGE; startIndex += PAGE) {
    const reply = await stack.scim('GET', `/Users?startIndex=${startIndex}&count=${PAGE}`);
    expect(reply.status).toBe(200);
    totals.add(reply.body.totalResults as number);
    expect(reply.body.startIndex).toBe(startIndex);
    const expected = Math.max(0, Math.min(PAGE, USERS - (startIndex - 1)));
    expect(reply.body.itemsPerPage ?? reply.body.Resources?.length ?? 0).toBe(expected);
    for (const user of reply.body.Resources ?? []) {
      ids.add(user.id as string);
      userNames.add(user.userName as string);
    }
  }
  return { ids, userNames, totals };
}

function seed(stack: Stack): void {
  for (let index = 0; index < USERS; index++)
    stack.demo.store.createUser({
      user_name: `found${index}@example.com`,
      email: `found${index}@example.com`,
      status: 'active',
    });
}

describe('account discovery over 10,000 app users', () => {
  describe('without a snapshot: pages read from the app', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack();
      seed(stack);
    });
    afterAll(() => stack.close());

    it('pages through every user once, with the exact total on every page', async () => {
      const { ids, userNames, totals } = await walk(stack);
      expect(ids.size).toBe(USERS);
      expect(userNames.size).toBe(USERS);
      expect([...totals]).toEqual([USERS]);
    });
  });

  describe('with a fresh snapshot: pages read from it', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ demoApp: { snapshot: { every: '1h' } } });
      seed(stack);
      await stack.gateway.apps.get('demo')!.snapshots!.refreshNow('User');
    });
    afterAll(() => stack.close());

    it('pages through every user once, exact totals, and asks the app nothing', async () => {
      const before = stack.demo.stats().requests;
      const { ids, userNames, totals } = await walk(stack);
      expect(ids.size).toBe(USERS);
      expect(userNames.size).toBe(USERS);
      expect([...totals]).toEqual([USERS]);
      expect(stack.demo.stats().requests).toBe(before);
      // The same SCIM ids a second time: paging adopted each user once.
      const again = await stack.scim('GET', `/Users?startIndex=${USERS - 1}&count=5`);
      expect(again.body.Resources.map((user: { id: string }) => ids.has(user.id))).toEqual([true, true]);
    });
  });
});
