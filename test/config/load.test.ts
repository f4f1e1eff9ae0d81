import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../src/config/load.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'scimgw-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VALID = `# yaml-language-server: $schema=../schemas/gateway.schema.json
apiVersion: scimgw/v1
kind: Gateway
server:
  port: 8080
apps:
  - id: demo
    connector: demo
    tokens: [env:DEMO_TOKEN, "file:/run/secrets/demo-token"]
    settings:
      baseUrl: http://127.0.0.1:8090
    secrets:
      apiKey: env:DEMO_APP_API_KEY
`;

let count = 0;
function write(text: string): string {
  const file = join(root, `gateway-${++count}.yaml`);
  writeFileSync(file, text);
  return file;
}

function issuesOf(file: string): ConfigIssue[] {
  try {
    loadGatewayConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

/** 1-based line/column of the first `needle` in `text`. */
function at(text: string, needle: string): { line: number; col: number } {
  const before = text.slice(0, text.indexOf(needle)).split('\n');
  return { line: before.length, col: (before.at(-1)?.length ?? 0) + 1 };
}

function edit(from: string, to: string): string {
  if (!VALID.includes(from)) throw new Error(`not in VALID: ${from}`);
  return VALID.replace(from, to);
}

describe('loadGatewayConfig', () => {
  it('loads a valid file and applies defaults', () => {
    const config = loadGatewayConfig(write(VALID));
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 8080, trustProxy: false, requestTimeout: '50s' });
    expect(config.store).toEqual({ type: 'embedded', dataDir: './data' });
    expect(config.connectorDirs).toEqual(['./connectors']);
    expect(config.apps[0]).toMatchObject({
      id: 'demo',
      connector: 'demo',
      secrets: { apiKey: 'env:DEMO_APP_API_KEY' },
    });
  });

  it('reports an unknown key at the key, with file:line:col', () => {
    const text = edit('  port: 8080\n', '  port: 8080\n  prot: 9090\n');
    const file = write(text);
    expect(issuesOf(file)).toEqual([
      {
        file,
        ...at(text, 'prot:'),
        path: 'server.prot',
        message: 'Unknown key "prot": check the spelling against the schema',
      },
    ]);
  });

  it('reports each of several unknown keys at its own position', () => {
    const text = edit('    connector: demo\n', '    connector: demo\n    token: [env:X]\n    setings: {}\n');
    const issues = issuesOf(write(text));
    expect(issues.map((issue) => [issue.path, issue.line, issue.col])).toEqual([
      ['apps[0].token', at(text, 'token:').line, 5],
      ['apps[0].setings', at(text, 'setings:').line, 5],
    ]);
  });

  it.each([
    [
      'a token',
      'tokens: [env:DEMO_TOKEN, "file:/run/secrets/demo-token"]',
      'tokens: [env:DEMO_TOKEN, hunter2-inline]',
      'hunter2-inline',
      'apps[0].tokens[1]',
    ],
    [
      'an app secret',
      'apiKey: env:DEMO_APP_API_KEY',
      'apiKey: sk_live_inline_123',
      'sk_live_inline_123',
      'apps[0].secrets.apiKey',
    ],
  ])('refuses %s given inline instead of env:/file:, without echoing it', (_what, from, to, secret, path) => {
    const text = edit(from, to);
    const file = write(text);
    const issues = issuesOf(file);
    expect(issues).toEqual([
      {
        file,
        ...at(text, secret),
        path,
        message: 'Give a secret as "env:VARIABLE" or "file:/path/to/file", never inline',
      },
    ]);
    let message = '';
    try {
      loadGatewayConfig(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${file}:${at(text, secret).line}:${at(text, secret).col} ${path}: Give a secret`);
    expect(message).not.toContain(secret);
  });

  it('refuses a duplicate app id, at the second one', () => {
    const text = `${VALID}  - id: demo\n    connector: other\n    tokens: [env:OTHER_TOKEN]\n`;
    const file = write(text);
    const second = text.lastIndexOf('id: demo');
    const before = text.slice(0, second).split('\n');
    expect(issuesOf(file)).toEqual([
      {
        file,
        line: before.length,
        col: (before.at(-1)?.length ?? 0) + 5,
        path: 'apps[1].id',
        message: 'The app id "demo" is used twice',
      },
    ]);
  });

  it('reports several problems together', () => {
    const text = edit('  port: 8080\n', '  port: 99999\n  prot: 1\n').replace('kind: Gateway', 'kind: Gatway');
    const issues = issuesOf(write(text));
    expect(issues.map((issue) => issue.path).sort()).toEqual(['kind', 'server.port', 'server.prot']);
    expect(issues.every((issue) => issue.line !== undefined && issue.col !== undefined)).toBe(true);
  });

  it('reports YAML syntax errors and duplicate keys with positions', () => {
    const text = edit('  port: 8080\n', '  port: 8080\n  port: 8081\n');
    const [issue] = issuesOf(write(text));
    expect(issue?.line).toBe(at(text, 'port: 8081').line);
    expect(issue?.message).toMatch(/unique/i);
  });

  it('reports a missing file without a stack trace', () => {
    const file = join(root, 'nope.yaml');
    expect(issuesOf(file)).toEqual([{ file, message: 'Cannot read the config file: ENOENT' }]);
  });
});
