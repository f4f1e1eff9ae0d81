/**
 * Cancellation end to end: when Entra hangs up, the app calls its request was still waiting for never
 * reach the app; a create already sent is still recorded when its answer arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type LogCapture } from '../helpers/log-capture.ts';
import { entraUser, startStack, type Stack } from '../helpers/stack.ts';

let stack: Stack;
let logs: LogCapture;
beforeAll(async () => {
  logs = captureLogs();
  // One call a second, one at a time: calls queue behind each other.
  stack = await startStack({
    logger: logs.logger,
    requestTimeout: '50s',
    demoApp: { rateLimit: { requests: 1, per: '1s', concurrency: 1, buckets: {} } },
  });
});
afterAll(async () => {
  await stack.close();
});

const pacer = () => stack.gateway.apps.get('demo')!.pacer!;

describe('when Entra hangs up', () => {
  it('none of the 20 calls still waiting for the app reaches it', async () => {
    stack.demo.log.length = 0;
    const clients = Array.from({ length: 20 }, () => new AbortController());
    const requests = clients.map((client, index) =>
      fetch(`${stack.base}/Users?filter=${encodeURIComponent(`userName eq "gone-${index}@contoso.test"`)}`, {
        headers: { authorization: 'Bearer test-token-0123456789' },
        signal: client.signal,
      }).catch(() => 'aborted'),
    );
    // Wait until all twenty are inside the gateway: the first sent (and maybe answered), the rest queued.
    await expect
      .poll(() => pacer().waiting + pacer().inFlight + stack.demo.log.length, { timeout: 20_000 })
      .toBeGreaterThanOrEqual(20);
    for (const client of clients) client.abort();
    const reached = stack.demo.log.length;
    const waited = pacer().waiting;
    expect(waited).toBeGreaterThanOrEqual(15);
    expect((await Promise.all(requests)).filter((result) => result === 'aborted').length).toBeGreaterThanOrEqual(
      waited,
    );
    await expect.poll(() => pacer().waiting + pacer().inFlight, { timeout: 20_000 }).toBe(0);
    // Let the budget's next slots pass: nothing more may arrive.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stack.demo.log.length).toBe(reached);
    expect(logs.errors()).toEqual([]);
  });

  it('a create already sent is recorded when its answer arrives, and a retry finds it', async () => {
    // The app answers slowly; Entra gives up in the meantime.
    stack.demo.setFaults({ rate: 1, kinds: ['slow'], slowMs: 800 });
    const before = stack.demo.stats().requests;
    const client = new AbortController();
    const sent = fetch(`${stack.base}/Users`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token-0123456789', 'content-type': 'application/scim+json' },
      body: JSON.stringify(entraUser('slow-create@contoso.test')),
      signal: client.signal,
    }).catch(() => 'aborted');
    // The POST has reached the app, which is still working on it (800 ms) when Entra hangs up.
    await expect.poll(() => stack.demo.stats().requests, { timeout: 20_000, interval: 20 }).toBeGreaterThan(before);
    client.abort();
    expect(await sent).toBe('aborted');
    stack.demo.setFaults(undefined);
    // The gateway kept the app's answer: the user maps to one SCIM id, and Entra's retry is answered from it.
    await expect
      .poll(
        async () =>
          (await stack.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "slow-create@contoso.test"')}`))
            .body.totalResults,
        { timeout: 20_000 },
      )
      .toBe(1);
    const retried = await stack.scim('POST', '/Users', entraUser('slow-create@contoso.test'));
    expect([201, 409]).toContain(retried.status);
    expect(
      stack.demo.store.listUsers({}).items.filter((user) => user.user_name === 'slow-create@contoso.test'),
    ).toHaveLength(1);
  });
});
