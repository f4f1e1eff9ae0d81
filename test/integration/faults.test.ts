/**
 * The app fails a fifth of the calls (5xx, connection resets, slow answers) during a provisioning run:
 * every SCIM request ends in success or a retriable 503 (never a 500 or a 4xx the client caused), and once
 * Entra's retries of the 503s are done no app object is duplicated and none is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entraUser, patchBody, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ requestTimeout: '8s' });
});
afterAll(async () => {
  await stack.close();
});

type Op = { name: string; run: () => Promise<{ status: number; headers: Headers; body: any }> };

async function runAll(ops: Op[], concurrency: number) {
  const outcomes: { op: Op; status: number; retryAfter: string | null; body: any }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops.length) {
        const op = ops[next++]!;
        const reply = await op.run();
        outcomes.push({ op, status: reply.status, retryAfter: reply.headers.get('retry-after'), body: reply.body });
      }
    }),
  );
  return outcomes;
}

describe('provisioning while the app fails 20% of calls', () => {
  it('ends every request in success or a retriable 503, then loses and duplicates nothing', async () => {
    stack.demo.setFaults({ rate: 0.2, kinds: ['5xx', 'reset', 'slow'], slowMs: 1500, seed: 7 });
    const names = Array.from({ length: 40 }, (_, i) => `fault-${i}@contoso.com`);
    const ids = new Map<string, string>();
    const create = (name: string): Op => ({
      name: `create ${name}`,
      run: () => stack.scim('POST', '/Users', entraUser(name, { title: 'Initial' })),
    });
    const update = (name: string): Op => ({
      name: `update ${name}`,
      run: () =>
        stack.scim('PATCH', `/Users/${ids.get(name)}`, patchBody({ op: 'Replace', path: 'title', value: 'Updated' })),
    });

    const allowed = new Set([200, 201, 204, 503]);
    const check = (outcomes: Awaited<ReturnType<typeof runAll>>) => {
      for (const outcome of outcomes) {
        expect(
          allowed.has(outcome.status),
          `${outcome.op.name}: ${outcome.status} ${JSON.stringify(outcome.body)}`,
        ).toBe(true);
        if (outcome.status === 503) expect(Number(outcome.retryAfter), outcome.op.name).toBeGreaterThanOrEqual(1);
      }
    };
    // Entra retries what got a 503, in later cycles; here, until it succeeds (bounded).
    const untilDone = async (ops: Op[], remember?: (op: Op, body: any) => void) => {
      let pending = ops;
      const seen: number[] = [];
      for (let round = 0; round < 6 && pending.length; round++) {
        if (round === 3) stack.demo.setFaults(undefined);
        const outcomes = await runAll(pending, 6);
        check(outcomes);
        seen.push(...outcomes.map((o) => o.status));
        for (const outcome of outcomes) if (outcome.status < 300) remember?.(outcome.op, outcome.body);
        pending = outcomes.filter((o) => o.status === 503).map((o) => o.op);
      }
      expect(pending).toEqual([]);
      return seen;
    };

    const createStatuses = await untilDone(names.map(create), (op, body) =>
      ids.set(op.name.slice('create '.length), body.id),
    );
    stack.demo.setFaults({ rate: 0.2, kinds: ['5xx', 'reset', 'slow'], slowMs: 1500, seed: 11 });
    const updateStatuses = await untilDone(names.map(update));
    stack.demo.setFaults(undefined);

    // Faults really happened, and some requests needed Entra's retry.
    expect(stack.demo.stats().faults).toBeGreaterThan(10);
    expect([...createStatuses, ...updateStatuses].filter((s) => s === 201 || s === 204)).toHaveLength(80);

    // None lost, none duplicated: each user once in the app, with the update applied, readable by its id.
    for (const name of names) {
      const inApp = stack.demo.store.listUsers({ user_name: name });
      expect(inApp.total, name).toBe(1);
      expect(inApp.items[0]!.job_title, name).toBe('Updated');
      const read = await stack.scim('GET', `/Users/${ids.get(name)}`);
      expect(read.status, name).toBe(200);
      expect(read.body.title).toBe('Updated');
    }
    expect(await stack.idMap.count('demo', 'User')).toBe(40);
  }, 120_000);
});
