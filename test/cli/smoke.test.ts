/**
 * Each scimgw command once as a real process (`node src/cli/index.ts …`), the way a person runs it: exit
 * status, output on the right stream, relative paths resolved from its working folder. Everything else
 * about the commands is tested in process (helpers/cli.ts).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startStack, TOKEN, type Stack } from '../helpers/stack.ts';

const CLI = join(ROOT, 'src', 'cli', 'index.ts');
let work: string;
let stack: Stack;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'scimgw-smoke-'));
  cpSync(join(ROOT, 'connectors', 'demo'), join(work, 'connectors', 'demo'), { recursive: true });
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
  rmSync(work, { recursive: true, force: true });
});

/** Asynchronous, so the stack in this process keeps answering the command. */
function spawned(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: work, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      },
    );
  });
}

describe('scimgw as a process', () => {
  it('prints its help with exit 0, and a usage error with exit 1', async () => {
    const help = await spawned(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: scimgw/);
    const wrong = await spawned(['connector', 'nope']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/unknown command 'nope'/);
  });

  it('connector new, validate, test and check-spec', async () => {
    expect((await spawned(['connector', 'new', 'acme'])).stdout).toContain('created connectors/acme/');
    expect((await spawned(['connector', 'validate', 'connectors/acme'])).stdout).toContain('ok: acme 0.1.0');
    expect((await spawned(['connector', 'test', 'connectors/demo', '--case', 'users-get'])).stdout).toContain(
      '1 passed, 0 failed',
    );
    const checked = await spawned(['connector', 'check-spec', 'connectors/demo']);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toMatch(/ok: \d+ routes agree with connectors\/demo\/openapi\/demo-app\.json/);
  });

  it('connector from-openapi', async () => {
    const run = await spawned([
      'connector',
      'from-openapi',
      'connectors/demo/openapi/demo-app.json',
      '--users',
      '/users',
      '--name',
      'drafted',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('drafted');
  });

  it('try', async () => {
    writeFileSync(
      join(work, 'request.json'),
      JSON.stringify({ method: 'POST', path: '/Users', body: { userName: 'smoke@contoso.test' } }),
    );
    const run = await spawned(['try', 'demo', 'request.json'], {
      DEMO_APP_URL: 'http://127.0.0.1:9',
      DEMO_APP_API_KEY: 'k',
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SCIM answer: 201/);
  });

  it('conformance', async () => {
    const run = await spawned(['conformance', stack.base, '--token', 'env:SMOKE_TOKEN'], { SMOKE_TOKEN: TOKEN });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('store copy', async () => {
    const run = await spawned(['store', 'copy', '--from', 'embedded:./a', '--to', 'embedded:./b']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('copied 0 records');
  });

  it('snapshot', async () => {
    writeSnapshotConfig();
    const run = await spawned(['snapshot', 'demo', '--config', 'gateway.yaml'], APP_ENV);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Users: \d+ objects in .* with 1 app calls$/m);
  });

  it('drift', async () => {
    writeSnapshotConfig();
    const run = await spawned(['drift', 'demo', '--config', 'gateway.yaml', '--json'], APP_ENV);
    expect([0, 1], run.stderr).toContain(run.code);
    expect(JSON.parse(run.stdout)).toMatchObject({ app: 'demo', reports: [{ kind: 'User' }, { kind: 'Group' }] });
  });
});

const APP_ENV = { T: 'token-0123456789', K: 'demo-key' };

/** gateway.yaml for the stack's demo app with a snapshot, on an embedded store in the work folder. */
function writeSnapshotConfig(): void {
  writeFileSync(
    join(work, 'gateway.yaml'),
    `apiVersion: scimgw/v1\nkind: Gateway\nstore: { type: embedded, dataDir: ./data }\nconnectorDirs: [connectors]\napps:\n  - { id: demo, connector: demo, tokens: [env:T], settings: { baseUrl: "${stack.demoUrl}" }, secrets: { apiKey: env:K }, snapshot: { every: 1h } }\n`,
  );
}
