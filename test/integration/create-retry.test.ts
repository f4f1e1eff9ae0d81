/**
 * A create whose answer is lost (the gateway's deadline passes while the app is still working) must not
 * make a second app object when Entra retries: the retry finds the object by lookup and is answered with
 * the first attempt's SCIM id. A POST that repeats a create already answered is a duplicate (409).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { entraUser, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('create retried after a lost answer', () => {
  it("answers the retry with the first attempt's SCIM id and leaves one object in the app", async () => {
    stack = await startStack({ requestTimeout: '400ms' });
    stack.demo.setFaults({ rate: 1, kinds: ['slow'], slowMs: 800 });
    const body = entraUser('slow.create@contoso.com');
    const first = await stack.scim('POST', '/Users', body);
    expect(first.status).toBe(503);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    stack.demo.setFaults(undefined);
    // Let the app finish the create it was still working on.
    for (let i = 0; i < 40 && stack.demo.store.listUsers({ user_name: 'slow.create@contoso.com' }).total === 0; i++)
      await sleep(50);
    expect(stack.demo.store.listUsers({ user_name: 'slow.create@contoso.com' }).total).toBe(1);
    const pending = await stack.idMap.findByKey('demo', 'User', 'slow.create@contoso.com');
    expect(pending?.committed).toBe(false);

    const retry = await stack.scim('POST', '/Users', body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(pending?.scimId);
    expect(stack.demo.store.listUsers({ user_name: 'slow.create@contoso.com' }).total).toBe(1);
    expect((await stack.scim('GET', `/Users/${retry.body.id}`)).status).toBe(200);

    // Answered now: the same POST again is a duplicate.
    const again = await stack.scim('POST', '/Users', body);
    expect(again.status).toBe(409);
    expect(again.body.scimType).toBe('uniqueness');
    // A different Entra object with the same userName is a conflict as well.
    expect((await stack.scim('POST', '/Users', { ...body, externalId: 'someone-else' })).status).toBe(409);
  });

  it('creates on the retry when the first attempt never reached the app, keeping its SCIM id', async () => {
    stack = await startStack({ requestTimeout: '600ms' });
    stack.demo.setFaults({ rate: 1, kinds: ['5xx'] });
    const body = entraUser('never.reached@contoso.com');
    const first = await stack.scim('POST', '/Users', body);
    expect(first.status).toBe(503);
    expect(stack.demo.store.userCount).toBe(0);
    const reserved = await stack.idMap.findByKey('demo', 'User', 'never.reached@contoso.com');
    stack.demo.setFaults(undefined);
    const retry = await stack.scim('POST', '/Users', body);
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(reserved?.scimId);
    expect(stack.demo.store.userCount).toBe(1);
  });

  it('serialises concurrent creates of one userName into one app object and one SCIM id', async () => {
    stack = await startStack();
    const body = entraUser('race@contoso.com');
    const other = { ...body, externalId: 'another-entra-object' };
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => stack!.scim('POST', '/Users', i === 7 ? other : body)),
    );
    // The same Entra object may be answered 201 more than once while its first answer is still on its way,
    // always with the same SCIM id; a different object with that userName is a conflict.
    const created = replies.filter((reply) => reply.status === 201);
    expect(new Set(created.map((reply) => reply.body.id)).size).toBe(1);
    expect(replies.every((reply) => reply.status === 201 || reply.status === 409)).toBe(true);
    // Exactly one of the two Entra objects won the userName.
    expect(new Set(created.map((reply) => reply.body.externalId)).size).toBe(1);
    expect(stack.demo.store.listUsers({ user_name: 'race@contoso.com' }).total).toBe(1);
    // Once an answer has gone out, the same POST is a duplicate.
    expect((await stack.scim('POST', '/Users', body)).status).toBe(409);
  });

  it('records the app id with the commit once the 201 is out, and a read that comes first finds the object by lookup', async () => {
    stack = await startStack();
    const created = await stack.scim('POST', '/Users', entraUser('quick.reader@contoso.com'));
    expect(created.status).toBe(201);
    // The answer has gone out: one write stored the app id and the commit.
    for (let i = 0; i < 40 && !(await stack.idMap.get('demo', 'User', created.body.id))?.committed; i++) await sleep(5);
    const record = await stack.idMap.get('demo', 'User', created.body.id);
    expect(record).toMatchObject({ committed: true, appId: expect.stringMatching(/^\d+$/) });

    // The moment before that write: a client (or another replica) using the new id meets the reservation.
    await stack.idMap.update('demo', 'User', created.body.id, { appId: null, committed: false });
    const read = await stack.scim('GET', `/Users/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.userName).toBe('quick.reader@contoso.com');
    expect((await stack.idMap.get('demo', 'User', created.body.id))?.appId).toBe(record!.appId);
    expect(stack.demo.store.listUsers({ user_name: 'quick.reader@contoso.com' }).total).toBe(1);
  });
});
