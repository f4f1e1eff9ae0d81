/**
 * There is no Docker engine in CI, so this checks the Dockerfile by reading it, then does what the image
 * would do: runs its ENTRYPOINT with its ENV (demo mode, a temp data dir) and its HEALTHCHECK command line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');

interface Instruction {
  op: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = pending + line;
    pending = '';
    const match = /^(\S+)\s+(.*)$/.exec(full);
    if (match) out.push({ op: match[1]!.toUpperCase(), args: match[2]! });
  }
  return out;
}

/** The exec (JSON array) form; the shell form is refused, as signals would go to /bin/sh, not node. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`not exec form: ${args}`);
  return parsed;
}

/** ENV KEY=VALUE pairs (this Dockerfile's values have no spaces or quotes). */
function envOf(instructions: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { op, args } of instructions) {
    if (op !== 'ENV') continue;
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf('=');
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

const instructions = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const stages = instructions.map((ins, index) => ({ ins, index })).filter(({ ins }) => ins.op === 'FROM');
const finalStart = stages.at(-1)!.index;
const finalStage = instructions.slice(finalStart);

describe('Dockerfile', () => {
  it('builds in named stages on Node 24, installing production dependencies only', () => {
    expect(stages.map(({ ins }) => ins.args)).toEqual([
      'node:24-bookworm-slim AS deps',
      'node:24-bookworm-slim AS runtime',
    ]);
    const install = instructions.filter((ins) => ins.op === 'RUN' && /\bnpm ci\b/.test(ins.args));
    expect(install).toHaveLength(1);
    expect(install[0]!.args).toContain('--omit=dev');
    expect(instructions.indexOf(install[0]!)).toBeLessThan(finalStart);
    expect(finalStage.some((ins) => ins.op === 'COPY' && ins.args.startsWith('--from=deps /app/node_modules'))).toBe(
      true,
    );
  });

  it('runs as a numeric non-root user, with a HEALTHCHECK and an exec-form ENTRYPOINT', () => {
    const users = finalStage.filter((ins) => ins.op === 'USER');
    expect(users).toHaveLength(1);
    const user = users[0]!.args.split(':')[0]!;
    expect(user).toMatch(/^\d+$/);
    expect(user).not.toBe('0');
    expect(finalStage.filter((ins) => ins.op === 'HEALTHCHECK')).toHaveLength(1);
    expect(execForm(finalStage.find((ins) => ins.op === 'ENTRYPOINT')!.args)).toEqual(['node', 'src/main.ts']);
    expect(
      finalStage.some((ins) => ins.op === 'RUN' && /mkdir -p .*\/config.*\/connectors.*\/secrets/.test(ins.args)),
    ).toBe(true);
  });

  it('leaves node_modules and local data out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'data', '.git']));
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('production dependencies', () => {
  it('covers every package src/ imports at runtime, so npm ci --omit=dev is enough', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const missing: string[] = [];
    for (const file of sourceFiles(join(ROOT, 'src'))) {
      const text = readFileSync(file, 'utf8');
      // Type-only imports are erased by type stripping and need nothing installed.
      const specifiers = [
        ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!),
        ...[...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!),
      ];
      for (const specifier of specifiers) {
        if (specifier.startsWith('.') || specifier.startsWith('node:')) continue;
        const parts = specifier.split('/');
        const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
        if (!(name in pkg.dependencies)) missing.push(`${file.slice(ROOT.length + 1)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) =>
    child.exitCode !== null ? resolveExit() : child.once('exit', () => resolveExit()),
  );
}

// One scenario in order: up and healthy, then stopped and unhealthy.
describe('the image start command, run directly', { shuffle: false }, () => {
  const env = envOf(finalStage);
  const dataDir = mkdtempSync(join(tmpdir(), 'scimgw-image-'));
  let child: ChildProcess;
  let runEnv: NodeJS.ProcessEnv;
  let output = '';

  /** The HEALTHCHECK's command line, with `node` as the Node 24 running these tests. */
  function healthcheck(): number | null {
    const args = /CMD\s+(\[.*\])$/.exec(finalStage.find((ins) => ins.op === 'HEALTHCHECK')!.args)![1]!;
    const [command, ...rest] = execForm(args);
    expect(command).toBe('node');
    return spawnSync(process.execPath, rest, { env: runEnv, cwd: ROOT, timeout: 5000 }).status;
  }

  beforeAll(async () => {
    const [command, ...args] = execForm(finalStage.find((ins) => ins.op === 'ENTRYPOINT')!.args);
    expect(command).toBe('node');
    // A port found free can be taken by a parallel test before the gateway listens: then try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      // The image's ENV, but a free port (the test host may use 8080) and a temp data dir.
      runEnv = {
        PATH: process.env.PATH,
        ...env,
        PORT: String(await freePort()),
        SCIMGW_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      };
      output = '';
      child = spawn(process.execPath, args, { cwd: ROOT, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!output.includes('Tenant URL') && child.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      if (!output.includes('EADDRINUSE')) break;
      await exited(child);
    }
    expect(output).toContain('Tenant URL');
  }, 30_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    if (child) await exited(child);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts the demo and passes the HEALTHCHECK while up', async () => {
    expect(output).toContain(`:${runEnv.PORT}/apps/demo/scim/v2`);
    const live = await fetch(`http://127.0.0.1:${runEnv.PORT}/livez`);
    expect(live.status).toBe(200);
    expect(healthcheck()).toBe(0);
  });

  it('fails the HEALTHCHECK once the gateway has stopped', async () => {
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(healthcheck()).toBe(1);
  });
});
