/**
 * The shape of `connectors/<name>/connector.yaml`, as a zod schema. It is the single source for start-up
 * validation, for the TypeScript types of the engine, and for `schemas/connector.schema.json` (editor
 * completion and hover help through yaml-language-server). Descriptions are written for connector authors.
 */
import { z } from 'zod';
import { duration, period } from '../config/duration.ts';
import { schemaExtensions } from '../config/schema-extension.ts';
import {
  createOperation,
  expression,
  filterPushdown,
  httpMethod,
  listOperation,
  membersList,
  operation,
  outcome,
  outcomeResult,
  pagination,
  request,
  step,
  template,
  updateOperation,
} from './manifest-operations.ts';

const userResource = z
  .object({
    schemaExtensions: schemaExtensions
      .default([])
      .describe(
        'Extension schemas this connector declares (for app fields no core attribute fits); their attributes may then be listed in attributes.',
      ),
    attributes: z
      .array(z.string())
      .min(1)
      .describe('SCIM attributes this connector maps, e.g. name.givenName; they are what /Schemas advertises.'),
    operations: z
      .object({
        create: createOperation.optional(),
        get: operation,
        list: listOperation,
        update: updateOperation.optional(),
        deactivate: operation.optional().describe('Called when active becomes false.'),
        reactivate: operation.optional().describe('Called when active becomes true.'),
        delete: operation.optional(),
      })
      .strict(),
  })
  .strict();

const groupResource = userResource
  .extend({
    members: z
      .object({
        add: operation,
        remove: operation,
        list: membersList.optional(),
        addMany: operation
          .optional()
          .describe(
            'Adds several members in one call; $members is the list of their app ids. Used for any change of more than one member.',
          ),
        removeMany: operation
          .optional()
          .describe('Removes several members in one call; $members is the list of their app ids.'),
        batchSize: z
          .number()
          .int()
          .min(2)
          .max(1000)
          .default(50)
          .describe("Most members per addMany/removeMany call (the app's own limit)."),
      })
      .strict()
      .optional()
      .describe("Group membership calls; $id is the group's app id and $member the user's."),
  })
  .strict();

const customFields = z
  .object({
    read: expression.describe(
      'JSONata on the app object giving its custom fields as an object, e.g. user_fields (Redmine: custom_fields{ $string(id): value }).',
    ),
    write: expression.describe(
      'JSONata giving what to merge into toApp\'s result from $customFields (field → value, null for a cleared one), e.g. { "user_fields": $customFields }.',
    ),
  })
  .strict()
  .describe(
    'Where the app keeps its custom fields. An app then maps SCIM attributes (e.g. Entra custom extension attributes) to them with customFields in gateway.yaml.',
  );

const mapping = z.object({ toApp: expression, toScim: expression, customFields: customFields.optional() }).strict();

const openapiBlock = z
  .object({
    document: z
      .string()
      .min(1)
      .describe(
        'The OpenAPI document: a path relative to the connector folder (normally a slice kept beside it), or npm:<package>/<file> for one a dependency ships.',
      ),
    pathPrefix: z
      .string()
      .regex(/^(\/[^/\s]+)*$/, 'Give the prefix as /segment[/segment…], or "" for none')
      .default('')
      .describe(
        "What the document's paths have in front of the paths the connector calls (relative to http.baseUrl), e.g. /api/v2.",
      ),
    undocumented: z
      .array(
        z
          .object({
            method: httpMethod,
            path: z
              .string()
              .startsWith('/')
              .describe('The route as the connector calls it, with {name} for variable segments.'),
            query: z
              .array(z.string().min(1))
              .optional()
              .describe('Only these query parameters are undocumented (the route itself is checked).'),
            body: z
              .literal(true)
              .optional()
              .describe('Only the request body is undocumented (the route itself is checked).'),
            reason: z.string().min(1).describe('Why the call is needed although the document lacks it.'),
            docs: z.url().describe('Where the vendor documents it (prose).'),
          })
          .strict(),
      )
      .default([])
      .describe(
        'What the vendor documents only in prose: a whole route (not checked at all), or some of its query parameters, or its body.',
      ),
    commonStatuses: z
      .array(
        z
          .object({
            status: z.number().int().min(100).max(599),
            reason: z.string().min(1),
            docs: z.url().describe('Where the vendor says any call may get it (e.g. its rate-limit page for 429).'),
          })
          .strict(),
      )
      .default([])
      .describe(
        'Statuses the vendor documents for every call in prose (429 from its rate limits, say) but not per operation.',
      ),
  })
  .strict();

const secretDecl = z
  .object({
    description: z.string().optional(),
    env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional()
      .describe('Environment variable read when the app config gives no value.'),
    required: z.boolean().default(true),
  })
  .strict();

const settingDecl = z
  .object({
    description: z.string().optional(),
    env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    required: z.boolean().default(false),
  })
  .strict();

const auth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('apiKey'),
      in: z.enum(['header', 'query']).default('header'),
      name: z.string().min(1),
      value: template,
    })
    .strict(),
  z.object({ type: z.literal('bearer'), token: template }).strict(),
  z.object({ type: z.literal('basic'), username: template, password: template }).strict(),
  z
    .object({
      type: z.literal('oauth2ClientCredentials'),
      tokenUrl: template,
      clientId: template,
      clientSecret: template,
      clientAuth: z
        .enum(['body', 'basic'])
        .default('body')
        .describe('client_secret_post (body) or client_secret_basic.'),
      scopes: z.array(z.string()).default([]),
      params: z.record(z.string(), template).default({}).describe('Extra form fields, e.g. audience.'),
    })
    .strict(),
]);

export const connectorManifest = z
  .object({
    $schema: z.string().optional(),
    apiVersion: z.literal('scimgw/v1'),
    kind: z.literal('Connector'),
    metadata: z
      .object({
        id: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and dashes; it must equal the folder name'),
        name: z.string().min(1),
        version: z.string().regex(/^\d+\.\d+\.\d+/, 'Use a semantic version such as 1.0.0'),
        description: z.string().optional(),
        docs: z.string().optional(),
      })
      .strict(),
    settings: z
      .record(z.string(), settingDecl)
      .default({})
      .describe('Non-secret per-app settings, available as $config.<name>.'),
    secrets: z
      .record(z.string(), secretDecl)
      .default({})
      .describe('Secret values, available as $secrets.<name> in auth, headers and query only.'),
    http: z
      .object({
        baseUrl: template,
        headers: z.record(z.string(), template).default({}),
        timeout: duration.default('30s'),
        maxResponseBytes: z
          .number()
          .int()
          .min(1024)
          .default(8 * 1024 * 1024)
          .describe(
            'The largest answer body read from the app (default 8 MiB); a larger one is abandoned and the SCIM request gets 502. Raise it for apps whose pages are larger.',
          ),
      })
      .strict(),
    auth: auth.default({ type: 'none' }),
    rateLimit: z
      .object({
        requests: z.number().positive().describe('Calls allowed per period, shared by every replica.'),
        per: period.default('1s'),
        concurrency: z.number().int().positive().default(8).describe('Calls in flight at once per replica.'),
        buckets: z
          .array(
            z
              .object({
                name: z
                  .string()
                  .regex(/^[A-Za-z0-9_-]+$/)
                  .describe('Names the bucket in metrics and in the shared budget.'),
                match: z
                  .object({
                    method: z.union([httpMethod, z.array(httpMethod).min(1)]).optional(),
                    path: z
                      .string()
                      .describe('Regular expression on the path relative to http.baseUrl, e.g. "^/users/[0-9]+$".'),
                  })
                  .strict(),
                requests: z.number().positive(),
                per: period,
                key: template
                  .optional()
                  .describe(
                    'Counted per this value, e.g. "{{ $id }}" for a per-user limit; one shared count when absent.',
                  ),
              })
              .strict(),
          )
          .default([])
          .describe(
            'Extra limits for some calls, on top of the app budget (e.g. Zendesk: 5 updates a minute per user).',
          ),
      })
      .strict()
      .optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(4),
        initialDelay: duration.default('250ms'),
        maxDelay: duration.default('10s'),
        maxPause: duration
          .default('120s')
          .describe(
            "The longest a Retry-After or rate-limit reset header may hold the app's calls; longer asks are cut to it (and counted in scimgw_outbound_pause_capped_total).",
          ),
      })
      .strict()
      .default({ maxAttempts: 4, initialDelay: '250ms', maxDelay: '10s', maxPause: '120s' }),
    mappings: z
      .object({
        User: mapping.optional(),
        Group: mapping.optional(),
      })
      .strict(),
    resources: z.object({ User: userResource.optional(), Group: groupResource.optional() }).strict(),
    openapi: openapiBlock
      .optional()
      .describe(
        "The vendor's API description: `scimgw connector check-spec` holds every call of every fixture against it.",
      ),
    definitions: z.unknown().optional().describe('Free area for YAML anchors (&name) reused elsewhere with *name.'),
  })
  .strict();

export type ConnectorManifest = z.infer<typeof connectorManifest>;
export type Expression = z.infer<typeof expression>;
export type RequestSpec = z.infer<typeof request>;
export type OutcomeRule = z.infer<typeof outcome>;
export type OutcomeResult = z.infer<typeof outcomeResult>;
export type PaginationSpec = z.infer<typeof pagination>;
export type StepSpec = z.infer<typeof step>;
export type ResourceSpec = z.infer<typeof groupResource>;
export type FilterPushdownSpec = z.infer<typeof filterPushdown>;
export type AuthSpec = z.infer<typeof auth>;
/** What every operation kind has in common (a request or steps, outcomes, and how to read the answer). */
export interface OperationSpec {
  request?: RequestSpec | undefined;
  steps?: StepSpec[] | undefined;
  outcomes?: OutcomeRule[] | undefined;
  response?: { select?: Expression | undefined; id?: Expression | undefined } | undefined;
}
