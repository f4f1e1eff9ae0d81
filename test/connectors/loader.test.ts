import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/connectors/loader.ts';
import { ConfigError } from '../../src/errors.ts';
import { cleanupTemp, DEMO_DIR, demoVariant, loadIssues, positionOf, replaceOnce, writeConnector } from './helpers.ts';

afterAll(cleanupTemp);

const GET_REQUEST = '      get:\n        request: { method: GET, url: "/users/{{ $id }}" }';
const CREATE_BODY = `body: '$merge([$app, { "status": $scim.active = false ? "inactive" : "active" }])'`;

describe('the demo connector', () => {
  it('loads with every operation compiled', () => {
    const connector = loadConnector(DEMO_DIR);
    expect(connector.id).toBe('demo');
    expect(connector.file).toBe(join(DEMO_DIR, 'connector.yaml'));
    expect(connector.auth.type).toBe('apiKey');
    expect(connector.rateLimit).toEqual({ requests: 20, perMs: 1000, concurrency: 8, buckets: [] });
    expect(connector.retry).toEqual({ maxAttempts: 4, initialDelayMs: 250, maxDelayMs: 10_000, maxPauseMs: 120_000 });
    expect(connector.http.timeoutMs).toBe(20_000);
    expect(connector.http.maxResponseBytes).toBe(8 * 1024 * 1024);
    const user = connector.resources.User;
    expect(user?.create?.onConflict).toBe('adopt');
    expect(user?.get.steps).toHaveLength(1);
    expect(user?.list.pagination).toMatchObject({
      type: 'page',
      pageParam: 'page',
      sizeParam: 'per_page',
      pageSize: 100,
      firstPage: 1,
    });
    expect(user?.list.filters.map((filter) => filter.attribute)).toEqual([
      'userName',
      'externalId',
      'emails[type eq "work"].value',
    ]);
    expect(connector.resources.Group?.members?.list).toBeDefined();
  });

  it('loads an unchanged copy from another place', () => {
    expect(loadConnector(demoVariant().dir).id).toBe('demo');
  });
});

describe('connector.yaml problems are reported with file, line and column', () => {
  it('a YAML syntax error', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, 'kind: Connector\n', 'kind: Connector: oops\n'));
    const [issue, ...more] = loadIssues(variant.dir);
    expect(more).toEqual([]);
    expect(issue).toEqual({
      file: variant.file,
      ...positionOf(variant.text, 'Connector: oops'),
      message: 'Nested mappings are not allowed in compact mappings',
    });
  });

  it('an unclosed flow sequence', () => {
    const variant = demoVariant((yaml) =>
      replaceOnce(
        yaml,
        'attributes: [displayName, externalId, members]',
        'attributes: [displayName, externalId, members',
      ),
    );
    const issues = loadIssues(variant.dir);
    expect(issues[0]).toMatchObject({ file: variant.file, message: expect.stringMatching(/end with a \]/) });
    expect(issues[0]?.line).toBeGreaterThanOrEqual(positionOf(variant.text, 'attributes: [displayName').line);
  });

  it('an unknown key, at the key itself', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, GET_REQUEST, GET_REQUEST.replace('request:', 'requets:')));
    const issues = loadIssues(variant.dir);
    expect(issues).toEqual([
      {
        file: variant.file,
        ...positionOf(variant.text, 'requets:'),
        path: 'resources.User.operations.get.requets',
        message: 'Unknown key "requets": check the spelling against the schema',
      },
    ]);
  });

  it('an unknown key that is not the first key of its mapping', () => {
    const variant = demoVariant((yaml) =>
      replaceOnce(
        yaml,
        '        onConflict: adopt\n      get:\n        request: { method: GET, url: "/users',
        '        onConflcit: adopt\n      get:\n        request: { method: GET, url: "/users',
      ),
    );
    const [issue] = loadIssues(variant.dir);
    expect(issue).toMatchObject({
      ...positionOf(variant.text, 'onConflcit'),
      path: 'resources.User.operations.create.onConflcit',
    });
  });

  it('a wrong enum value', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, GET_REQUEST, GET_REQUEST.replace('GET', 'FETCH')));
    const [issue, ...more] = loadIssues(variant.dir);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({
      file: variant.file,
      ...positionOf(variant.text, 'FETCH'),
      path: 'resources.User.operations.get.request.method',
    });
    expect(issue?.message).toMatch(/"GET"\|"POST"\|"PUT"\|"PATCH"\|"DELETE"/);
  });

  it('a JSONata syntax error in an inline body', () => {
    const broken = CREATE_BODY.replace('"active" }])', '"active" ])');
    const variant = demoVariant((yaml) => replaceOnce(yaml, CREATE_BODY, broken));
    const [issue, ...more] = loadIssues(variant.dir);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({
      file: variant.file,
      ...positionOf(variant.text, '])'),
      path: 'resources.User.operations.create.request.body',
    });
    expect(issue?.message).toMatch(/^JSONata S0202: Expected "}", got "]"/);
  });

  it('a JSONata syntax error on a later line of a block scalar body', () => {
    const block = [
      'body: |',
      '            (',
      '              $status := $scim.active = false ? "inactive" : "active";',
      '              $merge([$app, { "status": $status ])',
      '            )',
    ].join('\n');
    const variant = demoVariant((yaml) => replaceOnce(yaml, CREATE_BODY, block));
    const [issue] = loadIssues(variant.dir);
    expect(issue).toMatchObject({ file: variant.file, ...positionOf(variant.text, '])') });
  });

  it('a JSONata syntax error in a mappings/*.jsonata file', () => {
    const variant = demoVariant(undefined, {
      files: {
        'mappings/user-to-app.jsonata': (text) => replaceOnce(text, '"job_title": title,', '"job_title": title +,'),
      },
    });
    const jsonataFile = join(variant.dir, 'mappings', 'user-to-app.jsonata');
    const [issue, ...more] = loadIssues(variant.dir);
    expect(more).toEqual([]);
    const text = readFileSync(jsonataFile, 'utf8');
    // The offending token is the "," after the "+".
    const plus = positionOf(text, '+,');
    expect(issue).toMatchObject({ file: jsonataFile, line: plus.line, col: plus.col + 1, path: 'mappings.User.toApp' });
    expect(issue?.message).toMatch(/^JSONata S0211/);
  });

  it('a missing mapping file', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, 'mappings/user-to-scim.jsonata', 'mappings/nope.jsonata'));
    const [issue] = loadIssues(variant.dir);
    expect(issue).toMatchObject({
      file: variant.file,
      ...positionOf(variant.text, 'mappings/nope.jsonata'),
      message: 'File not found: mappings/nope.jsonata',
    });
  });

  it('a JSONata error in anchored content, once, at the anchor rather than at each *alias', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, '  total: total\n', '  total: total +\n'));
    const issues = loadIssues(variant.dir);
    expect(issues).toHaveLength(1);
    // "Unexpected end of expression": just past the "+".
    const plus = positionOf(variant.text, 'total +');
    expect(issues[0]).toMatchObject({
      file: variant.file,
      line: plus.line,
      col: plus.col + 'total +'.length,
      path: 'resources.User.operations.list.pagination.total',
    });
  });

  it('metadata.id that is not the folder name', () => {
    const variant = demoVariant(undefined, { folder: 'other-app' });
    const issues = loadIssues(variant.dir);
    expect(issues).toEqual([
      {
        file: variant.file,
        ...positionOf(variant.text, 'demo', 1),
        path: 'metadata.id',
        message: 'The id "demo" must equal the folder name "other-app"',
      },
    ]);
    expect(positionOf(variant.text, 'demo', 1).line).toBe(positionOf(variant.text, '  id: demo').line);
  });

  it('an unknown SCIM attribute in attributes', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, '      - title\n', '      - titel\n'));
    const issues = loadIssues(variant.dir);
    expect(issues).toEqual([
      {
        file: variant.file,
        ...positionOf(variant.text, 'titel'),
        path: 'resources.User.attributes[3]',
        message: '"titel" is not a SCIM User attribute',
      },
    ]);
  });

  it('an operation with both request and steps', () => {
    const steps = `${GET_REQUEST}\n        steps:\n          - name: first\n            request: { method: GET, url: /users }`;
    const variant = demoVariant((yaml) => replaceOnce(yaml, GET_REQUEST, steps));
    const [issue, ...more] = loadIssues(variant.dir);
    expect(more).toEqual([]);
    expect(issue).toMatchObject({
      file: variant.file,
      path: 'resources.User.operations.get',
      message: 'Give exactly one of "request" or "steps"',
    });
    expect(issue?.line).toBe(positionOf(variant.text, GET_REQUEST).line + 1);
  });

  it('an operation with neither request nor steps', () => {
    const variant = demoVariant((yaml) => replaceOnce(yaml, GET_REQUEST, '      get: {}'));
    const [issue] = loadIssues(variant.dir);
    expect(issue).toMatchObject({
      path: 'resources.User.operations.get',
      message: 'Give exactly one of "request" or "steps"',
      ...positionOf(variant.text, '{}'),
    });
  });

  it('reports all semantic problems together', () => {
    const variant = demoVariant(
      (yaml) =>
        replaceOnce(
          replaceOnce(yaml, '      - title\n', '      - titel\n'),
          CREATE_BODY,
          CREATE_BODY.replace('"active" }])', '"active" ])'),
        ),
      { folder: 'renamed' },
    );
    const issues = loadIssues(variant.dir);
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'metadata.id',
      'resources.User.attributes[3]',
      'resources.User.operations.create.request.body',
    ]);
    expect(
      issues.every((issue) => issue.file === variant.file && issue.line !== undefined && issue.col !== undefined),
    ).toBe(true);
    const error = (() => {
      try {
        loadConnector(variant.dir);
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected an error');
    })();
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message).toContain(`${variant.file}:${positionOf(variant.text, 'titel').line}:`);
  });

  it('reports all schema problems together', () => {
    const variant = demoVariant((yaml) =>
      replaceOnce(
        replaceOnce(
          replaceOnce(yaml, GET_REQUEST, GET_REQUEST.replace('GET', 'FETCH')),
          '  version: 1.0.0',
          '  version: one',
        ),
        '  timeout: 20s',
        '  timeout: 20s\n  retries: 3',
      ),
    );
    const issues = loadIssues(variant.dir);
    expect(issues).toHaveLength(3);
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual(
      expect.arrayContaining([
        ['metadata.version', positionOf(variant.text, 'one').line],
        ['http.retries', positionOf(variant.text, 'retries').line],
        ['resources.User.operations.get.request.method', positionOf(variant.text, 'FETCH').line],
      ]),
    );
    expect(issues.find((issue) => issue.path === 'metadata.version')?.message).toBe(
      'Use a semantic version such as 1.0.0',
    );
  });

  it('a folder without connector.yaml', () => {
    const dir = writeConnector('empty', '');
    expect(loadIssues(join(dir, 'missing'))[0]?.message).toBe('No connector.yaml in this folder');
  });
});
