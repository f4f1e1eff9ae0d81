/**
 * The dependency rule (DESIGN.md): scim/ is pure and imports nothing of ours but errors.ts; core/ depends
 * on interfaces, never on koa, the HTTP layer, the stores or the connector runtime. Only main.ts,
 * gateway.ts, app-generation.ts and app.ts wire concrete parts together.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

function layerOf(specifier: string, from: string): string {
  if (!specifier.startsWith('.')) return `pkg:${specifier.startsWith('node:') ? 'node' : specifier}`;
  return relative(SRC, resolve(dirname(from), specifier));
}

describe('dependency rule', () => {
  it('keeps scim/ pure: only scim/ and errors.ts, no I/O modules', () => {
    for (const file of files(join(SRC, 'scim'))) {
      for (const specifier of imports(file)) {
        const target = layerOf(specifier, file);
        expect(
          target.startsWith('scim/') || target === 'errors.ts',
          `${relative(SRC, file)} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  it('keeps core/ free of koa, HTTP, stores and the connector runtime', () => {
    for (const file of files(join(SRC, 'core'))) {
      for (const specifier of imports(file)) {
        const target = layerOf(specifier, file);
        const allowed =
          target.startsWith('core/') || target.startsWith('scim/') || target === 'errors.ts' || target === 'pkg:node';
        expect(allowed, `${relative(SRC, file)} imports ${specifier}`).toBe(true);
      }
    }
  });

  it('keeps each source file a reasonable size', () => {
    for (const file of files(SRC)) {
      const lines = readFileSync(file, 'utf8').split('\n').length;
      // Lines as prettier lays them out at 120 columns; past ~300 a file is worth splitting.
      expect(lines, relative(SRC, file)).toBeLessThanOrEqual(400);
    }
  });
});
