/**
 * The operation part of connector.yaml as zod schemas: expressions and templates, requests, outcomes,
 * pagination, steps, and each operation kind (create, get, list with filters, update, member lists).
 * manifest.ts assembles them into the whole file's schema.
 */
import { OUTCOMES } from '../outbound/outcome.ts';
import { z } from 'zod';

export const expression = z
  .union([
    z.string().min(1),
    z
      .object({ file: z.string().min(1).describe('Path of a .jsonata file, relative to the connector folder.') })
      .strict(),
  ])
  .describe('A JSONata expression, inline or as { file: mappings/x.jsonata }. Compiled once when the connector loads.');

export const template = z
  .string()
  .describe('A string with {{ JSONata }} segments. In URL paths each inserted value is percent-encoded.');

export const httpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

export const outcomeResult = z
  .enum(OUTCOMES)
  .describe(
    'How the gateway treats the answer: success; notFound (SCIM 404); conflict (SCIM 409, or adopt for creates); rateLimited and retry (retried within the deadline, then SCIM 503 with Retry-After); authFailed (the app refused our credentials: SCIM 502, never 401); fail (SCIM 400 invalidValue).',
  );

export const outcome = z
  .object({
    status: z.array(z.number().int().min(100).max(599)).min(1).describe('HTTP statuses this rule matches.'),
    when: expression
      .optional()
      .describe('Optional JSONata predicate on the response body; bindings $status and $headers.'),
    result: outcomeResult,
    message: z
      .string()
      .optional()
      .describe('Detail for the SCIM error when result is fail or conflict. Never echo app bodies here.'),
  })
  .strict();

export const request = z
  .object({
    method: httpMethod,
    url: template.describe('Relative to http.baseUrl (or absolute). Inserted values are percent-encoded.'),
    query: z.record(z.string(), template).optional().describe('Query parameters; values are templates.'),
    headers: z.record(z.string(), template).optional(),
    body: expression
      .optional()
      .describe(
        'JSONata producing the JSON body. Bindings: $scim, $old, $app, $appBefore (update: $old mapped), $appChanges, $id, $member, $members, $config…',
      ),
  })
  .strict();

export const pagination = z
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

export const step = z
  .object({
    name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
    when: expression.optional().describe('Skip the step unless this is true.'),
    request,
    pagination: pagination.optional(),
    items: expression.optional().describe('With pagination: JSONata selecting the items of one page.'),
    extract: z
      .record(z.string(), expression)
      .optional()
      .describe('Values saved as $steps.<name>.<key> for later steps.'),
    outcomes: z.array(outcome).optional(),
  })
  .strict();

export const operationBase = {
  request: request.optional(),
  steps: z.array(step).min(1).optional().describe('Several calls in order, instead of one request.'),
  outcomes: z
    .array(outcome)
    .optional()
    .describe(
      'Rules matched first to last before the defaults (2xx success, 404 notFound, 409 conflict, 429 rateLimited, 401/403 authFailed, 5xx retry, other 4xx fail).',
    ),
};

export const objectResponse = z
  .object({
    select: expression.optional().describe('JSONata selecting the app object in the body (default: the whole body).'),
    id: expression.optional().describe('JSONata giving the app id from the selected object (default: $string(id)).'),
  })
  .strict();

export const operation = z.object({ ...operationBase, response: objectResponse.optional() }).strict();

export const createOperation = z
  .object({
    ...operationBase,
    response: objectResponse.optional(),
    onConflict: z
      .enum(['fail', 'adopt'])
      .default('fail')
      .describe(
        'adopt: when the app says the object exists, find it with list (by userName or displayName) and link it.',
      ),
    getAfter: z
      .boolean()
      .default(false)
      .describe('Call get after a successful create, for APIs whose create answer is incomplete.'),
  })
  .strict();

export const filterPushdown = z
  .object({
    attribute: z
      .string()
      .describe('SCIM attribute, e.g. userName, externalId, displayName, emails[type eq "work"].value.'),
    op: z.enum(['eq', 'co', 'sw', 'ew']).default('eq'),
    url: template.optional().describe('Overrides list.request.url for this filter.'),
    query: z
      .record(z.string(), template)
      .optional()
      .describe('Merged into the list query; $filter.value holds the value.'),
    exact: z
      .boolean()
      .default(false)
      .describe('true when the app matches exactly as SCIM does; otherwise the gateway re-checks results.'),
    pagination: pagination
      .optional()
      .describe("Overrides the list's pagination for this filter, when its URL pages differently (a search endpoint)."),
    items: expression
      .optional()
      .describe("Overrides the list's items for this filter, when its URL answers another shape (one object, say)."),
    id: expression.optional().describe("Overrides the list's id for this filter."),
  })
  .strict();

export const listOperation = z
  .object({
    ...operationBase,
    pagination: pagination.default({ type: 'none' }),
    items: expression.describe('JSONata selecting the array of app objects in one page body.'),
    id: expression.optional().describe("JSONata giving each item's app id (default: $string(id))."),
    filters: z.array(filterPushdown).default([]).describe('Filters the app can evaluate itself.'),
    changedSince: z
      .object({
        query: z
          .record(z.string(), template)
          .describe('Merged into the list query; $since holds an ISO 8601 date-time (UTC).'),
      })
      .strict()
      .optional()
      .describe(
        'How to list only the objects changed since a time: app snapshot refreshes between full listings then read only what changed.',
      ),
    maxScan: z
      .number()
      .int()
      .positive()
      .default(10000)
      .describe('Most objects read when a filter must be evaluated by the gateway.'),
  })
  .strict();

export const updateOperation = z
  .object({
    ...operationBase,
    response: objectResponse.optional(),
    skipIfUnchanged: z
      .boolean()
      .default(true)
      .describe('Send nothing when the mapped app fields did not change ($appChanges is empty).'),
  })
  .strict();

export const membersList = z
  .object({
    ...operationBase,
    pagination: pagination.default({ type: 'none' }),
    items: expression,
    memberId: expression.default('$string(id)').describe("JSONata giving the member's app user id from one item."),
  })
  .strict();
