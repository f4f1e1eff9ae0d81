/** `scimgw connector new|validate|test`, run as a connector author runs them, on real folders in a temp dir. */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scimgw } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'scimgw-connector-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => scimgw(args, { cwd: dir });

/** A fresh scaffold under its own parent folder, so each test edits its own copy. */
async function scaffold(parent: string, name: string): Promise<string> {
  const result = await cli('connector', 'new', name, '--dir', parent);
  expect(result.code, result.stderr).toBe(0);
  return join(dir, parent, name);
}

function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(text));
  expect(index, `${text} in ${file}`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe('scimgw connector new', () => {
  it('scaffolds a connector that validates and passes its own fixture', async () => {
    const created = await cli('connector', 'new', 'acme-crm', '--dir', 'work');
    expect(created.code, created.stderr).toBe(0);
    const folder = join(dir, 'work', 'acme-crm');
    for (const file of [
      'connector.yaml',
      'mappings/user-to-app.jsonata',
      'mappings/user-to-scim.jsonata',
      'README.md',
      'fixtures/_app.yaml',
      'fixtures/users-create.yaml',
    ]) {
      expect(existsSync(join(folder, file)), file).toBe(true);
    }
    const firstLine = readFileSync(join(folder, 'connector.yaml'), 'utf8').split('\n')[0]!;
    const schema = /^# yaml-language-server: \$schema=(\S+)$/.exec(firstLine)?.[1];
    expect(schema, firstLine).toBeDefined();
    expect(resolve(folder, schema!)).toBe(join(ROOT, 'schemas', 'connector.schema.json'));
    const readme = readFileSync(join(folder, 'README.md'), 'utf8');
    for (const section of [
      'What Acme Crm calls things',
      'Credentials and scopes',
      'Settings',
      'Rate limits',
      'Not supported',
      'Sources',
    ])
      expect(readme).toContain(`## ${section}`);

    const validated = await cli('connector', 'validate', 'work/acme-crm');
    expect(validated.code, validated.stderr).toBe(0);
    expect(validated.stdout).toMatch(/^ok: acme-crm 0\.1\.0$/m);
    // One example case cannot prove every operation; validate says which are left.
    expect(validated.stdout).toMatch(
      /^warning: no fixture exercises these declared operations: User\.get, User\.list, User\.update, User\.delete, Group\.create/m,
    );
    expect(validated.stdout).toMatch(/^warning: no fixture shows an app 404, a conflict .*, an app 429, an app 5xx$/m);
    expect(validated.stdout).not.toContain('fail (');

    const tested = await cli('connector', 'test', 'work/acme-crm');
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toBe('✓ users-create\n1 passed, 0 failed\n');

    const strict = await cli('connector', 'validate', 'work/acme-crm', '--strict');
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('--strict: 3 warnings');
  });

  it('refuses an existing folder and a name that is not lower-case letters, digits and dashes', async () => {
    await scaffold('taken', 'billing');
    writeFileSync(join(dir, 'taken', 'billing', 'notes.txt'), 'mine');
    const again = await cli('connector', 'new', 'billing', '--dir', 'taken');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('taken/billing already exists');
    expect(readFileSync(join(dir, 'taken', 'billing', 'notes.txt'), 'utf8')).toBe('mine');

    for (const name of ['Billing', 'my_app', 'acme crm', 'a/b']) {
      const bad = await cli('connector', 'new', name, '--dir', 'names');
      expect(bad.code, name).toBe(1);
      expect(bad.stderr, name).toContain('use lower-case letters, digits and dashes');
    }
    expect(existsSync(join(dir, 'names'))).toBe(false);
  });
});

describe('scimgw connector validate', () => {
  it('reports every problem as file:line:col path: message and exits 1', async () => {
    const folder = await scaffold('broken', 'acme');
    const file = join(folder, 'connector.yaml');
    const text = readFileSync(file, 'utf8')
      .replace('attributes: [userName, active,', 'attributes: [userName, nickname2, active,')
      .replace('items: users', 'items: "users["');
    writeFileSync(file, text);
    const result = await cli('connector', 'validate', 'broken/acme');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const attributes = lineOf(file, 'nickname2');
    expect(result.stderr).toContain(`broken/acme/connector.yaml:${attributes}:`);
    expect(result.stderr).toMatch(
      new RegExp(
        `^broken/acme/connector\\.yaml:${attributes}:\\d+ resources\\.User\\.attributes\\[1\\]: "nickname2" is not a SCIM User attribute$`,
        'm',
      ),
    );
    expect(result.stderr).toMatch(
      new RegExp(
        `^broken/acme/connector\\.yaml:${lineOf(file, 'users[')}:\\d+ resources\\.User\\.operations\\.list\\.items: `,
        'm',
      ),
    );
    expect(result.stderr).toMatch(/^2 problems in broken\/acme$/m);
  });

  it('accepts a connector that declares an extension schema and maps its attributes', async () => {
    const folder = await scaffold('extended', 'acme');
    const file = join(folder, 'connector.yaml');
    const declaration = [
      '    schemaExtensions:',
      '      - id: urn:ietf:params:scim:schemas:extension:acme:2.0:User',
      '        description: Acme fields',
      '        attributes:',
      '          - { name: badge, type: string, description: Badge number }',
      '          - { name: clearance, type: integer, mutability: readWrite }',
      '    attributes: [userName, urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge,',
    ].join('\n');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    attributes: [userName,', declaration));
    const result = await cli('connector', 'validate', 'extended/acme');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok: acme /m);
  });

  it('reports a malformed extension schema as file:line:col', async () => {
    const folder = await scaffold('badext', 'acme');
    const file = join(folder, 'connector.yaml');
    const declaration = [
      '    schemaExtensions:',
      '      - id: not-a-urn',
      '        attributes:',
      '          - { name: badge, type: complex }',
      '          - { name: Badge }',
      '      - id: urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      '        attributes: [{ name: extra }]',
      '    attributes: [userName, urn:example:missing:2.0:User:x,',
    ].join('\n');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    attributes: [userName,', declaration));
    const result = await cli('connector', 'validate', 'badext/acme');
    expect(result.code).toBe(1);
    const at = (text: string) => `badext/acme/connector.yaml:${lineOf(file, text)}:`;
    expect(result.stderr).toContain(`${at('not-a-urn')}`);
    expect(result.stderr).toMatch(/schemaExtensions\[0\]\.id: Give the schema URN/);
    expect(result.stderr).toMatch(
      /schemaExtensions\[0\]\.attributes\[0\]\.subAttributes: A complex attribute needs subAttributes/,
    );
    expect(result.stderr).toMatch(/schemaExtensions\[0\]\.attributes\[1\]\.name: "Badge" is declared twice/);
    expect(result.stderr).toMatch(/schemaExtensions\[1\]\.id: The core and enterprise schemas are built in/);
    expect(result.stderr).toContain(at('{ name: Badge }'));
  });

  it('reports broken fixture files with their positions too', async () => {
    const folder = await scaffold('badcase', 'acme');
    writeFileSync(
      join(folder, 'fixtures', 'users-get.yaml'),
      'description: a case with a typo\nrequest: { method: GET, path: /Users/u-1 }\nexpekt: { status: 200 }\n',
    );
    const result = await cli('connector', 'validate', 'badcase/acme');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^badcase\/acme\/fixtures\/users-get\.yaml:\d+:\d+/m);
  });

  it("lists Entra's default attributes the connector does not map, on one warning line", async () => {
    const folder = join(dir, 'partial', 'demo');
    cpSync(join(ROOT, 'connectors', 'demo'), folder, {
      recursive: true,
      filter: (source) => basename(source) !== 'fixtures',
    });
    const file = join(folder, 'connector.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {6}- (title|phoneNumbers)\n/gm, ''));
    const result = await cli('connector', 'validate', 'partial/demo');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^ok: demo 1\.0\.0$/m);
    const warnings = result.stdout.split('\n').filter((line) => line.includes('Entra default attributes'));
    expect(warnings).toEqual([
      'warning: resources.User.attributes does not map these Entra default attributes: title, phoneNumbers[type eq "work"].value, phoneNumbers[type eq "mobile"].value, phoneNumbers[type eq "fax"].value',
    ]);
    expect(result.stdout).toContain('warning: no fixture cases in partial/demo/fixtures');
  });
});

describe('scimgw connector test', () => {
  it('shows a failing case as expected/actual lines, counts it, and exits 1', async () => {
    const folder = await scaffold('failing', 'acme');
    const good = readFileSync(join(folder, 'fixtures', 'users-create.yaml'), 'utf8');
    writeFileSync(
      join(folder, 'fixtures', 'users-create-wrong.yaml'),
      good.replace(
        'first_name: Jane, last_name: Doe, external_id: e-1, active: true }\n    response',
        'first_name: Janet, last_name: Doe, external_id: e-1, active: true }\n    response',
      ),
    );
    const result = await cli('connector', 'test', 'failing/acme');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        '✗ users-create-wrong',
        '    call 1 (POST /api/users): body.first_name:',
        '      - expected "Janet"',
        '      + actual   "Jane"',
        '✓ users-create',
        '1 passed, 1 failed',
        '',
      ].join('\n'),
    );

    const one = await cli('connector', 'test', 'failing/acme', '--case', 'users-create');
    expect(one.code).toBe(0);
    expect(one.stdout).toBe('✓ users-create\n1 passed, 0 failed\n');

    const missing = await cli('connector', 'test', 'failing/acme', '--case', 'users-gone');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'no case "users-gone" in failing/acme/fixtures (cases: users-create-wrong, users-create)',
    );
  });
});
