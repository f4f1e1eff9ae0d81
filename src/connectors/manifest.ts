/**
 * The shape of `connectors/<name>/connector.yaml`, as a zod schema. It is the single source for start-up
 * validation, for the TypeScript types of the engine, and for `schemas/connector.schema.json` (editor
 * completion and hover help through yaml-language-server). Descriptions are written for connector authors.
 */
import { z } from 'zod';
import { duration, period } from '../config/duration.ts';
import { schemaExtensions } from '../config/schema-extension.ts';


const expression = z
  .union([
    z.string().min(1),
    z.object({ file: z.string().min(1).describe('Path of a .jsonata file, relative to the connector folder.') }).strict(),
  ])
  .describe('A JSONata expression, inline or as { file: mappings/x.jsonata }. Compiled once when the connector loads.');

const template = z
  .string()
  .describe('A string with {{ JSONata }} segments. In URL paths each inserted value is percent-encoded.');

const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

const outcomeResult = z
  .enum(['success', 'notFound', 'conflict', 'rateLimited', 'authFailed', 'retry', 'fail'])
  .describe(
    'How the gateway treats the answer: success; notFound (SCIM 404); conflict (SCIM 409, or adopt for creates); rateLimited and retry (retried within the deadline, then SCIM 503 with Retry-After); authFailed (the app refused our credentials: SCIM 502, never 401); fail (SCIM 400 invalidValue).',
  );

const outcome = z
  .object({
    status: z.array(z.number().int().min(100).max(599)).min(1).describe('HTTP statuses this rule matches.'),
    when: expression.optional().describe('Optional JSONata predicate on the response body; bindings $status and $headers.'),
    result: outcomeResult,
    message: z.string().optional().describe('Detail for the SCIM error when result is fail or conflict. Never echo app bodies here.'),
  })
  .strict();

const request = z
  .object({
    method: httpMethod,
    url: template.describe('Relative to http.baseUrl (or absolute). Inserted values are percent-encoded.'),
    query: z.record(z.string(), template).optional().describe('Query parameters; values are templates.'),
    headers: z.record(z.string(), template).optional(),
    body: expression.optional().describe('JSONata producing the JSON body. Bindings: $scim, $old, $app, $appBefore (update: $old mapped), $appChanges, $id, $member, $members, $config…'),
  })
  .strict();

const pagination = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none') }).strict(),
    z
      .object({
        type: z.literal('offset'),
        offsetParam: z.string().default('offset'),
        limitParam: z.string().default('limit'),
        pageSize: z.number().int().positive().default(100),
        startOffset: z.number().int().nonnegative().default(0),
        total: expression.optional().describe('JSONata on the body giving the total count, when the API reports it.'),
      })
      .strict(),
    z
      .object({
        type: z.literal('page'),
        pageParam: z.string().default('page'),
        sizeParam: z.string().default('per_page'),
        pageSize: z.number().int().positive().default(100),
        firstPage: z.number().int().nonnegative().default(1),
        total: expression.optional().describe('JSONata on the body giving the total count, when the API reports it.'),
      })
      .strict(),
    z
      .object({
        type: z.literal('cursor'),
        cursorParam: z.string().describe('Query parameter that carries the cursor on later pages.'),
        cursor: expression.describe('JSONata on the body giving the next cursor; empty or null ends the walk.'),
        sizeParam: z.string().optional(),
        pageSize: z.number().int().positive().default(100),
        stop: expression.optional().describe('Optional JSONata predicate on the body: true ends the walk.'),
      })
      .strict(),
    z
      .object({
        type: z.literal('link'),
        rel: z.string().default('next').describe('The RFC 8288 Link relation to follow.'),
        sizeParam: z.string().optional(),
        pageSize: z.number().int().positive().default(100),
      })
      .strict(),
    z
      .object({
        type: z.literal('nextUrl'),
        next: expression.describe('JSONata on the body giving the next page URL (absolute or relative).'),
        sizeParam: z.string().optional(),
        pageSize: z.number().int().positive().default(100),
      })
      .strict(),
  ])
  .describe('How the list endpoint pages.');

const step = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    when: expression.optional().describe('Skip the step unless this is true.'),
    request,
    pagination: pagination.optional(),
    items: expression.optional().describe('With pagination: JSONata selecting the items of one page.'),
    extract: z.record(z.string(), expression).optional().describe('Values saved as $steps.<name>.<key> for later steps.'),
    outcomes: z.array(outcome).optional(),
  })
  .strict();

const operationBase = {
  request: request.optional(),
  steps: z.array(step).min(1).optional().describe('Several calls in order, instead of one request.'),
  outcomes: z.array(outcome).optional().describe('Rules matched first to last before the defaults (2xx success, 404 notFound, 409 conflict, 429 rateLimited, 401/403 authFailed, 5xx retry, other 4xx fail).'),
};

const objectResponse = z
  .object({
    select: expression.optional().describe('JSONata selecting the app object in the body (default: the whole body).'),
    id: expression.optional().describe('JSONata giving the app id from the selected object (default: $string(id)).'),
  })
  .strict();

const operation = z.object({ ...operationBase, response: objectResponse.optional() }).strict();

const createOperation = z
  .object({
    ...operationBase,
    response: objectResponse.optional(),
    onConflict: z
      .enum(['fail', 'adopt'])
      .default('fail')
      .describe('adopt: when the app says the object exists, find it with list (by userName or displayName) and link it.'),
    getAfter: z.boolean().default(false).describe('Call get after a successful create, for APIs whose create answer is incomplete.'),
  })
  .strict();

const filterPushdown = z
  .object({
    attribute: z.string().describe('SCIM attribute, e.g. userName, externalId, displayName, emails[type eq "work"].value.'),
    op: z.enum(['eq', 'co', 'sw', 'ew']).default('eq'),
    url: template.optional().describe('Overrides list.request.url for this filter.'),
    query: z.record(z.string(), template).optional().describe('Merged into the list query; $filter.value holds the value.'),
    exact: z.boolean().default(false).describe('true when the app matches exactly as SCIM does; otherwise the gateway re-checks results.'),
  })
  .strict();

const listOperation = z
  .object({
    ...operationBase,
    pagination: pagination.default({ type: 'none' }),
    items: expression.describe('JSONata selecting the array of app objects in one page body.'),
    id: expression.optional().describe('JSONata giving each item\'s app id (default: $string(id)).'),
    filters: z.array(filterPushdown).default([]).describe('Filters the app can evaluate itself.'),
    maxScan: z.number().int().positive().default(10000).describe('Most objects read when a filter must be evaluated by the gateway.'),
  })
  .strict();

const updateOperation = z
  .object({
    ...operationBase,
    response: objectResponse.optional(),
    skipIfUnchanged: z.boolean().default(true).describe('Send nothing when the mapped app fields did not change ($appChanges is empty).'),
  })
  .strict();

const membersList = z
  .object({
    ...operationBase,
    pagination: pagination.default({ type: 'none' }),
    items: expression,
    memberId: expression.default('$string(id)').describe('JSONata giving the member\'s app user id from one item.'),
  })
  .strict();

const userResource = z
  .object({
    schemaExtensions: schemaExtensions.default([]).describe('Extension schemas this connector declares (for app fields no core attribute fits); their attributes may then be listed in attributes.'),
    attributes: z.array(z.string()).min(1).describe('SCIM attributes this connector maps, e.g. name.givenName; they are what /Schemas advertises.'),
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
        addMany: operation.optional().describe('Adds several members in one call; $members is the list of their app ids. Used for any change of more than one member.'),
        removeMany: operation.optional().describe('Removes several members in one call; $members is the list of their app ids.'),
        batchSize: z.number().int().min(2).max(1000).default(50).describe('Most members per addMany/removeMany call (the app\'s own limit).'),
      })
      .strict()
      .optional()
      .describe('Group membership calls; $id is the group\'s app id and $member the user\'s.'),
  })
  .strict();

const customFields = z
  .object({
    read: expression.describe('JSONata on the app object giving its custom fields as an object, e.g. user_fields (Redmine: custom_fields{ $string(id): value }).'),
    write: expression.describe('JSONata giving what to merge into toApp\'s result from $customFields (field → value, null for a cleared one), e.g. { "user_fields": $customFields }.'),
  })
  .strict()
  .describe('Where the app keeps its custom fields. An app then maps SCIM attributes (e.g. Entra custom extension attributes) to them with customFields in gateway.yaml.');

const mapping = z
  .object({ toApp: expression, toScim: expression, customFields: customFields.optional() })
  .strict();

const secretDecl = z
  .object({
    description: z.string().optional(),
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional().describe('Environment variable read when the app config gives no value.'),
    required: z.boolean().default(true),
  })
  .strict();

const settingDecl = z
  .object({
    description: z.string().optional(),
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
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
      clientAuth: z.enum(['body', 'basic']).default('body').describe('client_secret_post (body) or client_secret_basic.'),
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
        id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'Use lower-case letters, digits and dashes; it must equal the folder name'),
        name: z.string().min(1),
        version: z.string().regex(/^\d+\.\d+\.\d+/, 'Use a semantic version such as 1.0.0'),
        description: z.string().optional(),
        docs: z.string().optional(),
      })
      .strict(),
    settings: z.record(z.string(), settingDecl).default({}).describe('Non-secret per-app settings, available as $config.<name>.'),
    secrets: z.record(z.string(), secretDecl).default({}).describe('Secret values, available as $secrets.<name> in auth, headers and query only.'),
    http: z
      .object({
        baseUrl: template,
        headers: z.record(z.string(), template).default({}),
        timeout: duration.default('30s'),
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
                name: z.string().regex(/^[A-Za-z0-9_-]+$/).describe('Names the bucket in metrics and in the shared budget.'),
                match: z
                  .object({
                    method: z.union([httpMethod, z.array(httpMethod).min(1)]).optional(),
                    path: z.string().describe('Regular expression on the path relative to http.baseUrl, e.g. "^/users/[0-9]+$".'),
                  })
                  .strict(),
                requests: z.number().positive(),
                per: period,
                key: template.optional().describe('Counted per this value, e.g. "{{ $id }}" for a per-user limit; one shared count when absent.'),
              })
              .strict(),
          )
          .default([])
          .describe('Extra limits for some calls, on top of the app budget (e.g. Zendesk: 5 updates a minute per user).'),
      })
      .strict()
      .optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(10).default(4),
        initialDelay: duration.default('250ms'),
        maxDelay: duration.default('10s'),
      })
      .strict()
      .default({ maxAttempts: 4, initialDelay: '250ms', maxDelay: '10s' }),
    mappings: z
      .object({
        User: mapping.optional(),
        Group: mapping.optional(),
      })
      .strict(),
    resources: z
      .object({ User: userResource.optional(), Group: groupResource.optional() })
      .strict(),
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
