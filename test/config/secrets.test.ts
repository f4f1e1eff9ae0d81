import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSecret, resolveSetting } from '../../src/config/secrets.ts';
import { ConfigError } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'scimgw-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WHERE = 'gateway.yaml apps.demo.secrets.apiKey';

function configError(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveSecret', () => {
  it('reads env:NAME from the given environment', () => {
    expect(resolveSecret('env:API_KEY', WHERE, { API_KEY: 'k-1' })).toBe('k-1');
  });

  it('reports an unset or empty variable by name', () => {
    for (const env of [{}, { API_KEY: '' }]) {
      const error = configError(() => resolveSecret('env:API_KEY', WHERE, env));
      expect(error.issues).toEqual([{ file: WHERE, message: 'The environment variable API_KEY is not set' }]);
    }
  });

  it('reads file:/path, trimming the trailing newline, and re-reads it each time', () => {
    const file = join(root, 'token');
    writeFileSync(file, 's3cret\n');
    expect(resolveSecret(`file:${file}`, WHERE, {})).toBe('s3cret');
    writeFileSync(file, 'rotated');
    expect(resolveSecret(`file:${file}`, WHERE, {})).toBe('rotated');
  });

  it('reports a missing file with its path and the error code', () => {
    const file = join(root, 'missing');
    const error = configError(() => resolveSecret(`file:${file}`, WHERE, {}));
    expect(error.issues).toEqual([{ file: WHERE, message: `Cannot read the secret file ${file}: ENOENT` }]);
  });

  it('refuses a value that is not a reference, without echoing it', () => {
    const error = configError(() => resolveSecret('sk_live_abc123', WHERE, {}));
    expect(error.issues[0]?.file).toBe(WHERE);
    expect(error.message).toMatch(/env:NAME/);
    expect(error.message).not.toContain('sk_live_abc123');
  });
});

describe('resolveSetting', () => {
  it('resolves env: strings and keeps other values as written', () => {
    expect(resolveSetting('env:BASE_URL', WHERE, { BASE_URL: 'http://x' })).toBe('http://x');
    expect(resolveSetting('http://literal', WHERE, {})).toBe('http://literal');
    expect(resolveSetting(42, WHERE, {})).toBe(42);
    expect(resolveSetting(false, WHERE, {})).toBe(false);
    expect(() => resolveSetting('env:NOPE', WHERE, {})).toThrow(ConfigError);
  });
});
