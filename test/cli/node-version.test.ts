/**
 * npm scripts start the TypeScript entry points through scripts/node24.mjs: an older Node (what the
 * system has when `npm ci --ignore-scripts` left the project's own Node 24 out) gets one line saying what
 * to do, not a loader error about ".ts"; Node 24 runs the entry point with its own command line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeProblem, REQUIRED_MAJOR } from '../../scripts/node-version.mjs';
import { ROOT } from '../helpers/stack.ts';

const RUNNER = join(ROOT, 'scripts', 'node24.mjs');

/** A Node older than the project's on this machine (the system's), if there is one. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(version.slice(1).split('.')[0]) < REQUIRED_MAJOR) return candidate;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

describe('the Node version check', () => {
  it('turns away older majors with what to do, and lets 24 and later through', () => {
    const problem = nodeProblem('20.20.2');
    expect(problem).toContain('Node 24 or later');
    expect(problem).toContain('Node 20.20.2');
    expect(problem).toContain('npm ci');
    expect(problem).not.toContain('\n');
    expect(nodeProblem('22.18.0')).toBeDefined();
    expect(nodeProblem('24.0.0')).toBeUndefined();
    expect(nodeProblem('25.1.0')).toBeUndefined();
  });

  it('matches the engines field of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${REQUIRED_MAJOR}`);
  });

  it('runs every npm script that starts TypeScript through the check', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const [name, command] of Object.entries(pkg.scripts)) {
      if (/\bnode\s+\S+\.ts\b/.test(command)) expect.fail(`npm run ${name} starts TypeScript without the check`);
      if (/^vitest\b/.test(command)) expect.fail(`npm run ${name} starts vitest without the check`);
    }
  });

  it('runs the entry point with its arguments on this Node', () => {
    const result = spawnSync(process.execPath, [RUNNER, 'src/cli/index.ts', 'help', 'store'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: scimgw store');
  });

  const older = olderNode();
  it.skipIf(!older)('stops an older Node with one line on stderr', () => {
    const result = spawnSync(older!, [RUNNER, 'src/main.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([nodeProblem(execVersion(older!))]);
  });
});

function execVersion(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim().slice(1);
}
