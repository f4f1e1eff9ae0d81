/**
 * Follows docs/writing-a-connector.md literally, as a new author would: every ```<lang> file=<path>``` block
 * is written to that path, every `$ ` line of a ```sh``` block is run, in order, in a fresh folder, against
 * a running demo app. The tutorial's connector must then pass `connector test` and agree with the demo app's
 * OpenAPI document, its dry run must show the create without sending it, and the connector drafted from the
 * document must pass its own fixtures.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';
import { createDemoApp, type DemoApp } from '../../src/demo-app/server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const TUTORIAL = readFileSync(join(ROOT, 'docs', 'writing-a-connector.md'), 'utf8');

let demo: DemoApp;
let work: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  demo = createDemoApp({ apiKey: 'tutorial-key' });
  const { url } = await demo.listen();
  work = mkdtempSync(join(tmpdir(), 'scimgw-tutorial-'));
  env = { ...process.env, DEMO_APP_URL: url, DEMO_APP_API_KEY: 'tutorial-key', TUTORIAL_SCIM_TOKEN: 'tutorial-token' };
});
afterAll(async () => {
  await demo?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The CLI in this process, in the tutorial's folder, as its reader would run it there. */
async function runCli(args: string[]): Promise<{ status: number; output: string }> {
  const run = await scimgw(args, { cwd: work, env });
  return { status: run.code, output: `${run.stdout}${run.stderr}` };
}

interface Step {
  kind: 'file' | 'command';
  target: string;
  content: string;
}

function steps(markdown: string): Step[] {
  const out: Step[] = [];
  for (const match of markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const info = match[1]!.trim();
    const file = /\bfile=(\S+)/.exec(info)?.[1];
    if (file) out.push({ kind: 'file', target: file, content: match[2]! });
    else if (info === 'sh')
      for (const line of match[2]!.split('\n'))
        if (line.startsWith('$ ')) out.push({ kind: 'command', target: line.slice(2), content: '' });
  }
  return out;
}

describe('docs/writing-a-connector.md, followed literally', () => {
  it('produces a connector that passes its fixtures, and a dry run that sends nothing', async () => {
    const outputs: { command: string; status: number | null; output: string }[] = [];
    const all = steps(TUTORIAL);
    expect(all.filter((step) => step.kind === 'command').length).toBeGreaterThanOrEqual(4);
    for (const step of all) {
      if (step.kind === 'file') {
        const path = join(work, step.target);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, step.content);
        continue;
      }
      const prefix = 'npm run scimgw -- ';
      expect(step.target.startsWith(prefix), `the tutorial's commands run the CLI: ${step.target}`).toBe(true);
      // $NAME expands from the environment, as the reader's shell would.
      const args = step.target
        .slice(prefix.length)
        .split(/\s+/)
        .filter(Boolean)
        .map((arg) => arg.replace(/\$([A-Z_]+)/g, (_match, name: string) => env[name] ?? ''));
      const result = await runCli(args);
      const output = result.output;
      outputs.push({ command: step.target, status: result.status, output });
      expect(result.status, `${step.target}\n${output}`).toBe(0);
    }
    const checked = outputs.find((o) => o.command.includes('check-spec connectors/tutorial'))!;
    expect(checked.output).toMatch(/^ok +POST \/users \(\d+ calls?\)$/m);
    expect(checked.output).toMatch(/ok: \d+ routes agree with http:\/\/127\.0\.0\.1:\d+\/openapi\.json/);
    const drafted = outputs.find((o) => o.command.includes('test connectors/demo-draft'))!;
    expect(drafted.output).toMatch(/\b(1\d|[2-9]\d) passed, 0 failed/);
    expect(outputs.find((o) => o.command.includes('check-spec connectors/demo-draft'))!.output).toMatch(
      /ok: \d+ routes agree/,
    );
    const test = outputs.find((o) => o.command.includes('connector test'))!;
    expect(test.output).toMatch(/6 passed, 0 failed/);
    const validate = outputs.find((o) => o.command.includes('connector validate'))!;
    expect(validate.output).toMatch(/ok: tutorial 0\.1\.0/);
    const dryRun = outputs.find((o) => o.command.includes(' try '))!;
    expect(dryRun.output).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/api\/users/);
    expect(dryRun.output).toMatch(/SCIM answer: 201/);
    expect(dryRun.output).not.toContain('tutorial-key');
    expect(demo.stats().requests).toBe(0);
  });
});
