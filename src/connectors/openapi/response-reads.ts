/**
 * Checks that the fields a connector reads from the app's answers exist in the document's response
 * schemas: toScim against the objects get, create, update and list answer with (a field is missing when
 * every response that describes its object lacks it), and each operation's own `select`, `id`, `items`,
 * `memberId` and step `extract` against that operation's answer. Static: it needs no fixture.
 */
import type { CompiledConnector, CompiledOperation, CompiledRequest } from '../compiled.ts';
import type { CompiledExpression } from '../expression.ts';
import { locate } from '../expression.ts';
import type { ConfigIssue } from '../../errors.ts';
import { fieldReads, type FieldRead } from './expression-reads.ts';
import type { OperationIndex } from './operations.ts';
import { isObject, itemsOf, listOf, propertiesOf } from './schemas.ts';

type Judgement = 'present' | 'missing' | 'unknown';

/**
 * Whether a read path exists in a schema. Array levels are transparent, as in JSONata; a oneOf/anyOf has
 * the field when any branch has it (Auth0 answers a list either as an array or as { roles, total }).
 */
export function judge(
  schema: unknown,
  path: readonly string[],
  depth = 0,
  seen = new Set<unknown>(),
): { verdict: Judgement; at?: number } {
  if (depth >= path.length) return { verdict: 'present' };
  if (!isObject(schema) || seen.has(schema)) return { verdict: 'unknown' };
  const branches = [...listOf(schema.oneOf), ...listOf(schema.anyOf)];
  if (branches.length) {
    const verdicts = branches.map((branch) => judge(branch, path, depth, new Set([...seen, schema])));
    if (verdicts.some((entry) => entry.verdict === 'present')) return { verdict: 'present' };
    if (verdicts.some((entry) => entry.verdict === 'unknown')) return { verdict: 'unknown' };
    return { verdict: 'missing', at: Math.max(...verdicts.map((entry) => entry.at ?? depth)) };
  }
  const properties = propertiesOf(schema);
  if (!properties) {
    const items = itemsOf(schema);
    return items ? judge(items, path, depth, new Set([...seen, schema])) : { verdict: 'unknown' };
  }
  const name = path[depth]!;
  if (!properties.has(name)) return { verdict: 'missing', at: depth };
  return judge(properties.get(name), path, depth + 1, new Set([...seen, schema]));
}

/** The JSON schema of an operation's first documented success answer. */
export function successSchema(operation: Record<string, unknown>): unknown {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const key = ['200', '201', '2XX', '2xx', 'default'].find((candidate) => isObject(responses[candidate]));
  const response = key ? (responses[key] as Record<string, unknown>) : undefined;
  const content = isObject(response?.content) ? response.content : undefined;
  const type = content && Object.keys(content).find((candidate) => /json/i.test(candidate));
  return type ? (content[type] as Record<string, unknown>).schema : undefined;
}

/** A pure name path (`user`, `data.items`) of an expression, to follow a schema through `select`/`items`. */
function namePath(expression: CompiledExpression | undefined): string[] | undefined {
  if (!expression) return [];
  const ast = expression.ast?.() as { type?: string; steps?: { type: string; value: unknown }[] } | undefined;
  if (!ast) return undefined;
  if (ast.type === 'variable' && (ast as { value?: unknown }).value === '') return [];
  if (ast.type !== 'path' || !ast.steps?.every((step) => step.type === 'name')) return undefined;
  return ast.steps.map((step) => String(step.value));
}

/** The schema a name path leads to (through arrays, and through the oneOf/anyOf branch that has it). */
function follow(schema: unknown, path: string[] | undefined): unknown {
  if (path === undefined) return undefined;
  let current = schema;
  for (const name of path) {
    const candidates = isObject(current) ? [current, ...listOf(current.oneOf), ...listOf(current.anyOf)] : [];
    let next: unknown;
    for (const candidate of candidates) {
      let node = candidate;
      while (itemsOf(node) && !propertiesOf(node)) node = itemsOf(node);
      next = propertiesOf(node)?.get(name);
      if (next !== undefined) break;
    }
    current = next;
  }
  return current;
}

export interface ReadContext {
  connector: CompiledConnector;
  index: OperationIndex;
  pathPrefix: string;
}

/** The document operation a request template calls, when its path is literal enough to tell. */
function documented(
  context: ReadContext,
  request: CompiledRequest | undefined,
): { label: string; schema: unknown } | undefined {
  if (!request || /^\s*\{\{|^[a-z]+:\/\//i.test(request.url.source)) return undefined;
  const path = `${context.pathPrefix}${request.url.source.replace(/\{\{[\s\S]*?\}\}/g, 'x').replace(/\?.*$/, '')}`;
  const operation = context.index.find(request.method, path);
  return operation
    ? { label: `${request.method} ${operation.template}`, schema: successSchema(operation.operation) }
    : undefined;
}

function issue(expression: CompiledExpression, read: FieldRead, message: string): ConfigIssue {
  const origin = expression.origin ?? { file: expression.where };
  return {
    file: origin.file,
    ...locate(expression.source, read.offset, origin),
    ...(origin.path ? { path: origin.path } : {}),
    message,
  };
}

/** Reads of one expression that one response schema (the operation's own) lacks. */
function ownReads(expression: CompiledExpression | undefined, schema: unknown, label: string): ConfigIssue[] {
  if (!expression?.ast || schema === undefined) return [];
  return fieldReads(expression.ast()).flatMap((read) => {
    const { verdict, at } = judge(schema, read.path);
    return verdict === 'missing'
      ? [
          issue(
            expression,
            read,
            `reads "${read.path.slice(0, (at ?? 0) + 1).join('.')}", which the document's ${label} answer does not have`,
          ),
        ]
      : [];
  });
}

function operationReads(
  context: ReadContext,
  operation: CompiledOperation | undefined,
): { issues: ConfigIssue[]; object?: { label: string; schema: unknown } } {
  if (!operation) return { issues: [] };
  const issues: ConfigIssue[] = [];
  for (const step of operation.steps) {
    if (step.pagination) continue;
    const target = documented(context, step.request);
    if (target)
      for (const [, expression] of step.extract) issues.push(...ownReads(expression, target.schema, target.label));
  }
  const last = documented(context, operation.steps.at(-1)?.request);
  if (!last) return { issues };
  issues.push(...ownReads(operation.select, last.schema, last.label));
  const object = follow(last.schema, namePath(operation.select));
  issues.push(...ownReads(operation.id, object, last.label));
  return { issues, ...(object !== undefined ? { object: { label: last.label, schema: object } } : {}) };
}

export function responseReadIssues(context: ReadContext): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const kind of ['User', 'Group'] as const) {
    const resource = context.connector.resources[kind];
    if (!resource) continue;
    const objects: { label: string; schema: unknown }[] = [];
    for (const operation of [resource.get, resource.create, resource.update]) {
      const result = operationReads(context, operation);
      issues.push(...result.issues);
      if (result.object) objects.push(result.object);
    }
    const list = documented(context, resource.list.steps[0]?.request);
    if (list) {
      issues.push(...ownReads(resource.list.items, list.schema, list.label));
      const items =
        itemsOf(follow(list.schema, namePath(resource.list.items))) ??
        follow(list.schema, namePath(resource.list.items));
      if (items !== undefined) {
        issues.push(...ownReads(resource.list.id, items, `${list.label} items`));
        objects.push({ label: `${list.label} items`, schema: items });
      }
    }
    const membersList = resource.members?.list;
    const members = documented(context, membersList?.steps[0]?.request);
    if (membersList && members) {
      issues.push(...ownReads(membersList.items, members.schema, members.label));
      const items = itemsOf(follow(members.schema, namePath(membersList.items)));
      if (items !== undefined) issues.push(...ownReads(membersList.memberId, items, `${members.label} items`));
    }
    const toScim = context.connector.mappings[kind]?.toScim;
    if (toScim?.ast && objects.length) {
      for (const read of fieldReads(toScim.ast())) {
        const verdicts = objects.map((object) => ({ object, ...judge(object.schema, read.path) }));
        const missing = verdicts.filter((entry) => entry.verdict === 'missing');
        if (missing.length && !verdicts.some((entry) => entry.verdict === 'present')) {
          const field = read.path.slice(0, (missing[0]!.at ?? 0) + 1).join('.');
          issues.push(
            issue(
              toScim,
              read,
              `toScim reads "${field}", which no documented answer has (${missing.map((entry) => entry.object.label).join('; ')})`,
            ),
          );
        }
      }
    }
  }
  return issues;
}
