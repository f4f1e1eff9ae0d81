/** Shared plumbing for connector tests: connector variants in temp folders and ConfigError inspection. */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { loadConnector } from '../../src/connectors/loader.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';

export const DEMO_DIR = join(import.meta.dirname, '..', '..', 'connectors', 'demo');

const made: string[] = [];

/** A fresh temp root; removed by cleanupTemp(). */
export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'scimgw-connector-'));
  made.push(root);
  return root;
}

export function cleanupTemp(): void {
  for (const root of made.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Replaces `from` (which must occur exactly once) with `to`. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

export interface Variant {
  dir: string;
  file: string;
  text: string;
}

/**
 * Copies connectors/demo to <temp>/<folder>, edits connector.yaml and optionally other files
 * (paths relative to the folder; a function edits the copied file, a string replaces it).
 */
export function demoVariant(
  edit: (yaml: string) => string = (yaml) => yaml,
  options: { folder?: string; files?: Record<string, string | ((text: string) => string)> } = {},
): Variant {
  const dir = join(tempRoot(), options.folder ?? 'demo');
  cpSync(DEMO_DIR, dir, { recursive: true });
  const file = join(dir, 'connector.yaml');
  const text = edit(readFileSync(file, 'utf8'));
  writeFileSync(file, text);
  for (const [name, change] of Object.entries(options.files ?? {})) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, typeof change === 'string' ? change : change(readFileSync(path, 'utf8')));
  }
  return { dir, file, text };
}

/** Writes a connector folder from scratch: connector.yaml plus extra files. */
export function writeConnector(id: string, yaml: string, files: Record<string, string> = {}): string {
  const dir = join(tempRoot(), id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'connector.yaml'), yaml);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The issues of the ConfigError that loading `dir` throws. */
export function loadIssues(dir: string): ConfigIssue[] {
  try {
    loadConnector(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error(`expected ${dir} to fail loading`);
}

/** 1-based line and column of the `occurrence`-th (1-based) `needle` in `text`. */
export function positionOf(text: string, needle: string, occurrence = 1): { line: number; col: number } {
  let at = -1;
  for (let seen = 0; seen < occurrence; seen++) {
    at = text.indexOf(needle, at + 1);
    if (at === -1) throw new Error(`${JSON.stringify(needle)} not found ${occurrence} times`);
  }
  const before = text.slice(0, at).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}
