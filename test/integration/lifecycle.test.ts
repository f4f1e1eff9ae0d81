/**
 * Lifecycle policy per app: `onDelete: deactivate` keeps the app account (deactivated) and its mapping, so
 * re-assigning the user in Entra reactivates the same account; `adoptExisting: false` never takes over an
 * account the app already held. Against the demo app. Entra sends DELETE only for a hard-deleted user
 * (leavers are PATCHed active=false first): learn.microsoft.com/entra/identity/app-provisioning/how-provisioning-works.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { ConfigError } from '../../src/errors.ts';
import { entraUser, ROOT, startStack, type Stack } from '../helpers/stack.ts';
import { join } from 'node:path';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const filter = (text: string) => `/Users?filter=${encodeURIComponent(text)}`;

describe('onDelete: deactivate', () => {
  it("deactivates on Entra's DELETE, hides the user, and reactivates the same account on re-assignment", async () => {
    stack = await startStack({ demoApp: { onDelete: 'deactivate' } });
    const created = await stack.scim('POST', '/Users', entraUser('leaver@example.com', { displayName: 'Leaver' }));
    expect(created.status).toBe(201);
    const scimId = created.body.id as string;
    const account = stack.demo.store.listUsers({ user_name: 'leaver@example.com' }).items[0]!;

    expect((await stack.scim('DELETE', `/Users/${scimId}`)).status).toBe(204);
    expect(stack.demo.store.getUser(account.id)?.status).toBe('inactive');
    // Deleted as far as Entra can tell: by id, by its match query, and to a second DELETE.
    expect((await stack.scim('GET', `/Users/${scimId}`)).status).toBe(404);
    expect((await stack.scim('GET', filter('userName eq "leaver@example.com"'))).body.totalResults).toBe(0);
    expect((await stack.scim('GET', filter('externalId eq "ext-leaver@example.com"'))).body.totalResults).toBe(0);
    expect((await stack.scim('DELETE', `/Users/${scimId}`)).status).toBe(404);

    // Re-assigned: Entra creates the user again, with a changed attribute.
    const again = await stack.scim('POST', '/Users', entraUser('leaver@example.com', { displayName: 'Returner' }));
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(scimId);
    expect(stack.demo.store.userCount).toBe(1);
    expect(stack.demo.store.getUser(account.id)).toMatchObject({ status: 'active', display_name: 'Returner' });
    const read = await stack.scim('GET', `/Users/${scimId}`);
    expect(read.body).toMatchObject({ id: scimId, active: true, displayName: 'Returner' });
    // A create that repeats it now is a duplicate, as after any create.
    expect((await stack.scim('POST', '/Users', entraUser('leaver@example.com'))).status).toBe(409);
  });

  it('creates anew when the deactivated account was deleted in the app meanwhile', async () => {
    stack = await startStack({ demoApp: { onDelete: 'deactivate' } });
    const created = await stack.scim('POST', '/Users', entraUser('gone@example.com'));
    await stack.scim('DELETE', `/Users/${created.body.id as string}`);
    const account = stack.demo.store.listUsers({ user_name: 'gone@example.com' }).items[0]!;
    stack.demo.store.deleteUser(account.id);
    const again = await stack.scim('POST', '/Users', entraUser('gone@example.com'));
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(created.body.id);
    expect(stack.demo.store.userCount).toBe(1);
  });

  it('still deletes groups', async () => {
    stack = await startStack({ demoApp: { onDelete: 'deactivate' } });
    const group = await stack.scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Leavers',
    });
    expect((await stack.scim('DELETE', `/Groups/${group.body.id as string}`)).status).toBe(204);
    expect(stack.demo.store.teamCount).toBe(0);
  });

  it('is refused at start-up for a connector that cannot deactivate users', async () => {
    let thrown: unknown;
    try {
      await startGateway({
        config: {
          apiVersion: 'scimgw/v1',
          kind: 'Gateway',
          server: { host: '127.0.0.1', port: 0, trustProxy: false, requestTimeout: '10s', maxBodyBytes: 1024 },
          store: { type: 'embedded', dataDir: './unused' },
          connectorDirs: [join(ROOT, 'connectors')],
          apps: [
            {
              id: 'lists',
              connector: 'mailman3',
              tokens: ['env:T'],
              settings: { baseUrl: 'http://127.0.0.1:9', domain: 'lists.example.com' },
              secrets: { username: 'env:T', password: 'env:T' },
              onDelete: 'deactivate',
            },
          ],
        },
        env: { T: 'token-0123456789' },
        logger: silentLogger(),
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues).toContainEqual(
      expect.objectContaining({
        path: 'apps.lists.onDelete',
        message: expect.stringMatching(/cannot deactivate users/),
      }),
    );
  });
});

describe('adoptExisting: false', () => {
  it("neither shows nor takes over an account the app already held: Entra's create gets 409", async () => {
    stack = await startStack({ demoApp: { adoptExisting: false } });
    stack.demo.store.createUser({ user_name: 'local@example.com', email: 'local@example.com', status: 'active' });
    expect((await stack.scim('GET', filter('userName eq "local@example.com"'))).body.totalResults).toBe(0);
    expect((await stack.scim('GET', '/Users')).body.totalResults).toBeLessThanOrEqual(1);
    const create = await stack.scim('POST', '/Users', entraUser('local@example.com'));
    expect(create.status).toBe(409);
    expect(await stack.idMap.count('demo', 'User')).toBe(0);
    // Accounts the gateway made are found as usual.
    expect((await stack.scim('POST', '/Users', entraUser('new@example.com'))).status).toBe(201);
    expect((await stack.scim('GET', filter('userName eq "new@example.com"'))).body.totalResults).toBe(1);
  });
});
