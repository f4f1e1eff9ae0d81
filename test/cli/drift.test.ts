/**
 * scimgw drift, in process: users provisioned through a gateway, then changed in the demo app behind its
 * back (an account made there, one deleted there, one renamed there); drift lists each, exits 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config/load.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { startGateway } from '../../src/gateway.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { scimgw } from '../helpers/cli.ts';
import { entraUser, ROOT } from '../helpers/stack.ts';

let work: string;
let demo: DemoApp;
const env = { T: 'token-0123456789', K: 'demo-key' };
const ids: Record<string, string> = {};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scimgw-drift-cli-'));
  demo = createDemoApp({ apiKey: 'demo-key' });
  const { url } = await demo.listen();
  const file = join(work, 'gateway.yaml');
  writeFileSync(
    file,
    `apiVersion: scimgw/v1
kind: Gateway
server: { host: 127.0.0.1, port: 0 }
store: { type: embedded, dataDir: ./data }
connectorDirs: ["${join(ROOT, 'connectors')}"]
apps:
  - { id: demo, connector: demo, tokens: [env:T], settings: { baseUrl: "${url}" }, secrets: { apiKey: env:K }, rateLimit: { requests: 0 } }
`,
  );
  // Entra provisions three users through the gateway, which then stops.
  const gateway = await startGateway({
    config: loadGatewayConfig(file),
    configFile: file,
    env,
    logger: silentLogger(),
  });
  try {
    for (const name of ['kept', 'gone', 'renamed']) {
      const reply = await fetch(`${gateway.url}/apps/demo/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.T}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify(entraUser(`${name}@example.com`, { displayName: `${name} user` })),
      });
      expect(reply.status).toBe(201);
      ids[name] = ((await reply.json()) as { id: string }).id;
    }
  } finally {
    await gateway.close();
  }
  // Behind the gateway's back, through the app's own API surface.
  const byName = (name: string) => demo.store.listUsers({ user_name: `${name}@example.com` }).items[0]!;
  demo.store.createUser({ user_name: 'local-admin@example.com', email: 'local-admin@example.com', status: 'active' });
  demo.store.deleteUser(byName('gone').id);
  demo.store.updateUser(byName('renamed').id, { display_name: 'Renamed in the app' });
});

afterAll(async () => {
  await demo.close();
  rmSync(work, { recursive: true, force: true });
});

describe('scimgw drift', () => {
  it('reports the orphan, the vanished user and the changed attribute as JSON, and exits 1', async () => {
    const run = await scimgw(['drift', 'demo', '--config', 'gateway.yaml', '--json', '--resource', 'User'], {
      cwd: work,
      env,
    });
    expect(run.code, run.stderr).toBe(1);
    const { reports } = JSON.parse(run.stdout) as { reports: any[] };
    const users = reports[0];
    expect(users.counts).toEqual({ orphans: 1, vanished: 1, changed: 1 });
    expect(users.orphans[0]).toMatchObject({ key: 'local-admin@example.com', email: 'local-admin@example.com' });
    expect(users.vanished[0]).toMatchObject({ scimId: ids.gone, key: 'gone@example.com' });
    expect(users.changed[0]).toEqual({
      scimId: ids.renamed,
      appId: expect.any(String),
      attributes: [{ name: 'displayName', entra: 'renamed user', app: 'Renamed in the app' }],
    });
    expect(users.changedAttributes).toEqual({ displayName: 1 });
    // The listing's summary and progress go to stderr, so stdout stays one JSON document.
    expect(run.stderr).toMatch(/Users: 3 objects/);
  });

  it('says the same in words, and exits 0 for a kind without drift', async () => {
    const words = await scimgw(['drift', 'demo', '--config', 'gateway.yaml', '--no-refresh', '--resource', 'User'], {
      cwd: work,
      env,
    });
    expect(words.code).toBe(1);
    expect(words.stdout).toContain('1 in the app but not provisioned by Entra (Entra would match on userName):');
    expect(words.stdout).toMatch(/app id \d+ {2}userName local-admin@example\.com/);
    expect(words.stdout).toContain(`SCIM id ${ids.gone}`);
    expect(words.stdout).toContain(
      `SCIM id ${ids.renamed}  displayName: Entra "renamed user" → app "Renamed in the app"`,
    );
    const groups = await scimgw(['drift', 'demo', '--config', 'gateway.yaml', '--resource', 'Group'], {
      cwd: work,
      env,
    });
    expect(groups.code, groups.stderr).toBe(0);
    expect(groups.stdout).toMatch(/^Groups \(0 in the app, listed \d+ s ago\): no drift$/m);
  });
});
