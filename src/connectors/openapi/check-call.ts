/**
 * Holds one recorded outbound call against the vendor's document: the route and method exist; every query
 * parameter is documented and its value has the documented type and enum (comma-separated lists such as
 * Asana's opt_fields checked item by item); required query parameters are present; the JSON body has no
 * property the schema lacks and validates against it; the status the fixture answered with is documented.
 */
import type { RecordedCall } from '../testing/replay-transport.ts';
import type { DocOperation, OperationIndex, Parameter } from './operations.ts';
import { follow, isArraySchema, isObject, itemsOf, listOf, propertiesOf, type SchemaValidators } from './schemas.ts';
import type { Json } from './document.ts';

export interface CallFinding {
  /** What in the fixture's exchange it is about: the request line, the query, the body, or the response status. */
  part: 'request' | 'query' | 'body' | 'status';
  message: string;
}

export interface CallVerdict {
  /** "GET /api/v2/users/{user_id}", or the concrete path when the document has no route for it. */
  route: string;
  status: 'ok' | 'finding' | 'allow-listed' | 'outside';
  findings: CallFinding[];
}

export interface CallContext {
  baseUrl: URL;
  pathPrefix: string;
  index: OperationIndex;
  validators: SchemaValidators;
  /** The document as written, to follow the $refs of request bodies. */
  raw: Json;
  /** What the vendor documents only in prose: whole routes, or some query parameters or the body of one. */
  allowListed: { method: string; path: string; regex: RegExp; query?: string[]; body?: true }[];
  /** Statuses the vendor documents in prose for every call. */
  commonStatuses: number[];
}

/** The path the document would know for a call, or undefined for a call outside http.baseUrl (an OAuth token URL). */
export function documentPath(url: URL, context: Pick<CallContext, 'baseUrl' | 'pathPrefix'>): string | undefined {
  const base = context.baseUrl.pathname.replace(/\/+$/, '');
  if (url.origin !== context.baseUrl.origin || !(url.pathname === base || url.pathname.startsWith(`${base}/`)))
    return undefined;
  return `${context.pathPrefix}${url.pathname.slice(base.length)}`;
}

function typeProblem(schema: unknown, value: string): string | undefined {
  if (!isObject(schema)) return undefined;
  const type: unknown = Array.isArray(schema.type)
    ? listOf(schema.type).find((entry) => entry !== 'null')
    : schema.type;
  if (Array.isArray(schema.enum) && !schema.enum.map(String).includes(value))
    return `is ${JSON.stringify(value)}; the document allows ${schema.enum.map((entry) => JSON.stringify(entry)).join(', ')}`;
  if ((type === 'integer' && !/^-?\d+$/.test(value)) || (type === 'number' && Number.isNaN(Number(value))))
    return `is ${JSON.stringify(value)}; the document says ${type}`;
  if (type === 'boolean' && value !== 'true' && value !== 'false')
    return `is ${JSON.stringify(value)}; the document says boolean`;
  return undefined;
}

function queryFindings(url: URL, parameters: Parameter[]): CallFinding[] {
  const findings: CallFinding[] = [];
  const documented = parameters.filter((parameter) => parameter.in === 'query');
  for (const name of new Set(url.searchParams.keys())) {
    const parameter = documented.find((candidate) => candidate.name === name);
    if (!parameter) {
      const known = documented.map((candidate) => candidate.name);
      findings.push({
        part: 'query',
        message: `query parameter "${name}" is not documented for this operation${known.length ? ` (it has ${known.join(', ')})` : ' (it takes none)'}`,
      });
      continue;
    }
    const values = url.searchParams.getAll(name);
    const list = isArraySchema(parameter.schema);
    const parts = list && parameter.explode === false ? values.flatMap((value) => value.split(',')) : values;
    const itemSchema = list ? itemsOf(parameter.schema) : parameter.schema;
    for (const value of parts) {
      const problem = typeProblem(itemSchema, value);
      if (problem) findings.push({ part: 'query', message: `query parameter "${name}" ${problem}` });
    }
  }
  for (const parameter of documented) {
    if (parameter.required && !url.searchParams.has(parameter.name))
      findings.push({ part: 'query', message: `the required query parameter "${parameter.name}" is missing` });
  }
  return findings;
}

/** Body keys the schema has no property for, at any depth it describes. */
function unknownProperties(schema: unknown, value: unknown, path: string, depth = 0): string[] {
  if (depth > 12) return [];
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    return items ? value.flatMap((item, index) => unknownProperties(items, item, `${path}[${index}]`, depth + 1)) : [];
  }
  if (!isObject(value)) return [];
  const properties = propertiesOf(schema);
  if (!properties) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    if (!properties.has(key))
      return [
        `body.${at}: the document's schema has no property "${key}" (it has ${[...properties.keys()].join(', ') || 'none'})`,
      ];
    return unknownProperties(properties.get(key), child, at, depth + 1);
  });
}

/** The request body schema of an operation as written ($refs kept) and dereferenced. */
function bodySchemas(context: CallContext, operation: DocOperation): { raw: unknown; deref: unknown } | undefined {
  const derefBody = operation.operation.requestBody;
  if (!isObject(derefBody) || !isObject(derefBody.content)) return undefined;
  const type =
    Object.keys(derefBody.content).find((candidate) => /json/i.test(candidate)) ?? Object.keys(derefBody.content)[0];
  if (!type) return undefined;
  const pathItem = follow(context.raw, (context.raw.paths as Json)[operation.template]) as Json;
  const rawBody = follow(context.raw, (pathItem[operation.method] as Json).requestBody) as Json;
  const rawContent = isObject(rawBody?.content) ? (rawBody.content[type] as Json | undefined) : undefined;
  return { raw: rawContent?.schema, deref: (derefBody.content[type] as Json | undefined)?.schema };
}

function bodyFindings(context: CallContext, operation: DocOperation, call: RecordedCall): CallFinding[] {
  if (call.request.body === undefined || call.request.body === '') return [];
  const schemas = bodySchemas(context, operation);
  if (!schemas)
    return [{ part: 'body', message: 'the call sends a body, but the document describes none for this operation' }];
  if (typeof call.body !== 'object' || call.body === null) return [];
  const unknown = unknownProperties(schemas.deref, call.body, '');
  const invalid = context.validators
    .problems(schemas.raw, call.body)
    .filter((problem) => !problem.includes('must NOT have additional properties'))
    .map(
      (problem) =>
        `body${problem.startsWith('/') ? problem.replace(/\//g, '.') : ` ${problem.replace(/^\(root\) /, '')}`}`,
    );
  return [...unknown, ...invalid].map((message) => ({ part: 'body', message }));
}

/** A server failure may answer any request (RFC 9110 §15.6); documents list them at most for some operations. */
const SERVER_FAILURES = [500, 502, 503, 504];

/** True when the document lists the status for the operation (or it is a server failure, or common); else the statuses it lists. */
export function documentedStatus(operation: DocOperation, status: number, common: number[]): true | string {
  const responses = isObject(operation.operation.responses) ? Object.keys(operation.operation.responses) : [];
  const code = String(status);
  if (
    SERVER_FAILURES.includes(status) ||
    common.includes(status) ||
    responses.some((key) => key === code || key.toUpperCase() === `${code[0]}XX` || key === 'default')
  )
    return true;
  return responses.join(', ') || 'none';
}

function statusFindings(operation: DocOperation, status: number, common: number[]): CallFinding[] {
  const listed = documentedStatus(operation, status, common);
  return listed === true
    ? []
    : [
        {
          part: 'status',
          message: `the fixture answers ${status}, which the document does not list for this operation (it lists ${listed})`,
        },
      ];
}

export function checkCall(context: CallContext, call: RecordedCall): CallVerdict {
  const url = new URL(call.request.url);
  const path = documentPath(url, context);
  if (path === undefined)
    return { route: `${call.request.method} ${url.origin}${url.pathname}`, status: 'outside', findings: [] };
  const relative = path.slice(context.pathPrefix.length);
  const listed = context.allowListed.filter(
    (entry) => entry.method === call.request.method && entry.regex.test(relative),
  );
  const whole = listed.find((entry) => !entry.query && !entry.body);
  if (whole)
    return { route: `${call.request.method} ${context.pathPrefix}${whole.path}`, status: 'allow-listed', findings: [] };
  const proseQuery = new Set(listed.flatMap((entry) => entry.query ?? []));
  const proseBody = listed.some((entry) => entry.body);
  const operation = context.index.find(call.request.method, path);
  if (!operation) {
    const methods = context.index.methods(path);
    const message = methods.length
      ? `${call.request.method} ${path}: the document has this path only with ${methods.join(', ')}`
      : `${call.request.method} ${path}: the document has no such path${context.pathPrefix ? ` (with pathPrefix ${context.pathPrefix})` : ''}; fix the call, or list the route under openapi.undocumented with the vendor's prose documentation`;
    return { route: `${call.request.method} ${path}`, status: 'finding', findings: [{ part: 'request', message }] };
  }
  const query = queryFindings(url, operation.parameters).filter(
    (finding) => ![...proseQuery].some((name) => finding.message.startsWith(`query parameter "${name}" `)),
  );
  const body = proseBody ? [] : bodyFindings(context, operation, call);
  const findings = [...query, ...body, ...statusFindings(operation, call.response.status, context.commonStatuses)];
  return {
    route: `${call.request.method} ${operation.template}`,
    status: findings.length ? 'finding' : 'ok',
    findings,
  };
}
