/** scimgw snapshot, in process: lists the app into the store named by the config, with progress lines. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';
import { SqliteAppSnapshots } from '../../src/store/embedded/sqlite-snapshots.ts';
import { scimgw } from '../helpers/cli.ts';
import { ROOT } from '../helpers/stack.ts';

let work: string;
let demo: DemoApp;
let url: string;

function writeSnapshotConfig(dir: string, demoUrl: string, snapshot = 'snapshot: { every: 1h }'): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    `apiVersion: scimgw/v1
kind: Gateway
store: { type: embedded, dataDir: ./data }
connectorDirs: ["${join(ROOT, 'connectors')}"]
apps:
  - id: demo
    connector: demo
    tokens: [env:T]
    settings: { baseUrl: "${demoUrl}" }
    secrets: { apiKey: env:K }
    rateLimit: { requests: 0 }
    ${snapshot}
`,
  );
  return file;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scimgw-snapshot-cli-'));
  demo = createDemoApp({ apiKey: 'demo-key' });
  for (let index = 0; index < 230; index++)
    demo.store.createUser({ user_name: `cli${index}@example.com`, email: `cli${index}@example.com`, status: 'active' });
  demo.store.createTeam({ name: 'Team A' });
  ({ url } = await demo.listen());
});
afterAll(async () => {
  await demo.close();
  rmSync(work, { recursive: true, force: true });
});

const env = { T: 'token-0123456789', K: 'demo-key' };

describe('scimgw snapshot', () => {
  it('lists users and groups into the configured store and says what it cost', async () => {
    writeSnapshotConfig(work, url);
    const run = await scimgw(['snapshot', 'demo', '--config', 'gateway.yaml'], { cwd: work, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Users: 230 objects in \d+\.\d s with 3 app calls$/m);
    expect(run.stdout).toMatch(/^Groups: 1 objects in \d+\.\d s with 1 app calls$/m);
    // Not a terminal, and done within 5 s: no progress lines.
    expect(run.stderr).toBe('');
    const store = new SqliteAppSnapshots(join(work, 'data', 'scimgw.sqlite'));
    try {
      expect(await store.state('demo', 'User')).toMatchObject({ objects: 230, appCalls: 3 });
      expect((await store.find('demo', 'User', 'key', 'cli7@example.com')).length).toBe(1);
    } finally {
      store.close();
    }
  });

  it('lists only the kind asked for', async () => {
    writeSnapshotConfig(work, url);
    const run = await scimgw(['snapshot', 'demo', '--config', 'gateway.yaml', '--resource', 'Group'], {
      cwd: work,
      env,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('Users:');
    expect(run.stdout).toContain('Groups: 1 objects');
  });

  it('says what to do when the config, the app or its snapshot is missing (exit 2)', async () => {
    const noConfig = await scimgw(['snapshot', 'demo'], { cwd: work, env: { ...env, SCIMGW_CONFIG: '' } });
    expect(noConfig.code).toBe(2);
    writeSnapshotConfig(work, url, '');
    const unset = await scimgw(['snapshot', 'demo', '--config', 'gateway.yaml'], { cwd: work, env });
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('add snapshot: { every: 1h } to its entry');
    const other = await scimgw(['snapshot', 'nope', '--config', 'gateway.yaml'], { cwd: work, env });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('has no app "nope"');
  });

  it('exits 1 when the listing fails', async () => {
    writeSnapshotConfig(work, 'http://127.0.0.1:9');
    const run = await scimgw(['snapshot', 'demo', '--config', 'gateway.yaml'], { cwd: work, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/the listing failed/);
  });
});
