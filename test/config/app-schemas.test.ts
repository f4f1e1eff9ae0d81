/** gateway.yaml's schemaExtensions and customFields, checked against the app's connector at start-up. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/config/prepare-apps.ts';
import { gatewayConfig } from '../../src/config/schema.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';
const env = { DEMO_TOKEN: 't', DEMO_APP_API_KEY: 'k', GITHUB_TOKEN: 'g' };

function configWith(app: Record<string, unknown>) {
  return gatewayConfig.parse({
    apiVersion: 'scimgw/v1',
    kind: 'Gateway',
    connectorDirs: [join(ROOT, 'connectors')],
    apps: [
      {
        id: 'demo',
        connector: 'demo',
        tokens: ['env:DEMO_TOKEN'],
        settings: { baseUrl: 'http://127.0.0.1:1' },
        ...app,
      },
    ],
  });
}

function issues(app: Record<string, unknown>): ConfigIssue[] {
  try {
    prepare(configWith(app), { file: 'gateway.yaml', base: ROOT, env });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

const declared = {
  User: [{ id: CUSTOM, attributes: [{ name: 'CustomAttribute' }, { name: 'Tags', multiValued: true }] }],
};

describe('app schema extensions and custom fields', () => {
  it('accepts a declared extension attribute and a core or enterprise attribute mapped to custom fields', () => {
    const prepared = prepare(
      configWith({
        schemaExtensions: declared,
        customFields: {
          User: {
            [`${CUSTOM}:CustomAttribute`]: 'cost_code',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter': 'cc',
            'name.middleName': 'middle',
          },
        },
      }),
      { file: 'gateway.yaml', base: ROOT, env },
    );
    const schema = prepared.schemas.get('demo')!;
    expect(schema.resourceTypes.User.extensions.map((extension) => extension.id)).toEqual([
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      CUSTOM,
    ]);
    expect(schema.customFields.User).toEqual([
      { attribute: `${CUSTOM}:CustomAttribute`, field: 'cost_code' },
      { attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter', field: 'cc' },
      { attribute: 'name.middleName', field: 'middle' },
    ]);
  });

  it('refuses what a custom field cannot hold or the app does not declare, naming the config path', () => {
    const found = issues({
      schemaExtensions: declared,
      customFields: {
        User: {
          'urn:ietf:params:scim:schemas:extension:Other:2.0:User:Missing': 'a',
          [`${CUSTOM}:Tags`]: 'b',
          emails: 'c',
          [`${CUSTOM}:CustomAttribute`]: 'd',
          nickName: 'd',
        },
      },
    });
    expect(found.map((issue) => [issue.path, issue.message])).toEqual([
      [
        'apps.demo.customFields.User.urn:ietf:params:scim:schemas:extension:Other:2.0:User:Missing',
        expect.stringContaining('declare its schema in apps.demo.schemaExtensions.User first'),
      ],
      [`apps.demo.customFields.User.${CUSTOM}:Tags`, expect.stringContaining('is multi-valued')],
      ['apps.demo.customFields.User.emails', expect.stringContaining('is complex')],
      ['apps.demo.customFields.User.nickName', 'The custom field "d" is mapped twice'],
    ]);
  });

  it('refuses custom fields for a connector that does not say where they live', () => {
    const found = issues({
      connector: 'github',
      settings: { org: 'acme' },
      secrets: { token: 'env:GITHUB_TOKEN' },
      customFields: { User: { nickName: 'x' } },
    });
    expect(found).toContainEqual(
      expect.objectContaining({
        path: 'apps.demo.customFields.User',
        message: expect.stringContaining('does not say where User custom fields live'),
      }),
    );
  });

  it('refuses an app declaring a schema twice, and a resource type the connector does not provision', () => {
    const found = issues({
      schemaExtensions: { User: [...declared.User, { id: CUSTOM, attributes: [{ name: 'Other' }] }] },
    });
    expect(found).toEqual([
      expect.objectContaining({
        path: 'apps.demo.schemaExtensions.User.1.id',
        message: `The schema ${CUSTOM} is declared twice`,
      }),
    ]);
  });
});

describe('gateway.yaml validation of a declaration', () => {
  it('refuses the built-in schemas and duplicate attribute names with their paths', () => {
    const result = gatewayConfig.safeParse({
      apiVersion: 'scimgw/v1',
      kind: 'Gateway',
      apps: [
        {
          id: 'a',
          connector: 'demo',
          tokens: ['env:T'],
          schemaExtensions: {
            User: [
              {
                id: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
                attributes: [{ name: 'x' }, { name: 'X' }],
              },
            ],
          },
        },
      ],
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['apps.0.schemaExtensions.User.0.id', 'apps.0.schemaExtensions.User.0.attributes.1.name']),
    );
  });
});
