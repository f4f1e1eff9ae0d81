/**
 * Loads `connectors/<name>/connector.yaml`: YAML with positions → zod validation → semantic checks →
 * every JSONata expression and template compiled. All problems are collected and reported together as
 * file:line:col with a path, so an author fixes a file in one pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { appResourceTypes } from '../scim/schema/extensions.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import { formatPath, issueAt, parseYaml, scalarStart, validateYaml, type YamlSource } from '../config/yaml-source.ts';
import type {
  CompiledAuth,
  CompiledBucket,
  CompiledConnector,
  CompiledFilter,
  CompiledOperation,
  CompiledOutcome,
  CompiledPagination,
  CompiledRequest,
  CompiledResource,
  CompiledStep,
} from './compiled.ts';
import { compileExpression, compileTemplate, type CompiledExpression, type CompiledTemplate, type SourceLocation } from './expression.ts';
import {
  connectorManifest,
  type ConnectorManifest,
  type Expression,
  type OperationSpec,
  type OutcomeRule,
  type ResourceSpec,
  type PaginationSpec,
  type RequestSpec,
} from './manifest.ts';
import { toMilliseconds } from '../config/duration.ts';

type Path = (string | number)[];

class Compiler {
  readonly issues: ConfigIssue[] = [];
  readonly source: YamlSource;
  readonly dir: string;
  constructor(source: YamlSource, dir: string) {
    this.source = source;
    this.dir = dir;
  }

  /** Where the text of the scalar at `path` starts (inside quotes, below a block header), for JSONata errors. */
  #origin(path: Path): SourceLocation {
    return { file: this.source.file, ...scalarStart(this.source, path), path: formatPath(path) };
  }

  #guard<T>(work: () => T): T | undefined {
    try {
      return work();
    } catch (error) {
      if (error instanceof ConfigError) this.issues.push(...error.issues);
      else throw error;
      return undefined;
    }
  }

  expression(path: Path, value: Expression): CompiledExpression {
    const compiled = this.#guard(() => {
      if (typeof value === 'string') return compileExpression(value, this.#origin(path));
      const file = resolve(this.dir, value.file);
      if (!existsSync(file)) throw new ConfigError([issueAt(this.source, [...path, 'file'], `File not found: ${value.file}`)]);
      return compileExpression(readFileSync(file, 'utf8'), { file, line: 1, col: 1, path: formatPath(path) });
    });
    return compiled ?? placeholderExpression;
  }

  template(path: Path, value: string): CompiledTemplate {
    return this.#guard(() => compileTemplate(value, this.#origin(path))) ?? placeholderTemplate;
  }

  templates(path: Path, record: Record<string, string> | undefined): [string, CompiledTemplate][] {
    return Object.entries(record ?? {}).map(([key, value]) => [key, this.template([...path, key], value)]);
  }

  request(path: Path, spec: RequestSpec): CompiledRequest {
    return {
      method: spec.method,
      url: this.template([...path, 'url'], spec.url),
      query: this.templates([...path, 'query'], spec.query),
      headers: this.templates([...path, 'headers'], spec.headers),
      ...(spec.body !== undefined ? { body: this.expression([...path, 'body'], spec.body) } : {}),
    };
  }

  outcomes(path: Path, rules: OutcomeRule[] | undefined): CompiledOutcome[] {
    return (rules ?? []).map((rule, index) => ({
      status: new Set(rule.status),
      at: [...path, index],
      result: rule.result,
      ...(rule.when !== undefined ? { when: this.expression([...path, index, 'when'], rule.when) } : {}),
      ...(rule.message !== undefined ? { message: rule.message } : {}),
    }));
  }

  pagination(path: Path, spec: PaginationSpec): CompiledPagination {
    switch (spec.type) {
      case 'offset':
      case 'page':
        return { ...spec, total: spec.total === undefined ? undefined : this.expression([...path, 'total'], spec.total) } as CompiledPagination;
      case 'cursor':
        return {
          ...spec,
          cursor: this.expression([...path, 'cursor'], spec.cursor),
          stop: spec.stop === undefined ? undefined : this.expression([...path, 'stop'], spec.stop),
        };
      case 'nextUrl':
        return { ...spec, next: this.expression([...path, 'next'], spec.next) };
      default:
        return spec;
    }
  }

  operation(path: Path, spec: OperationSpec): CompiledOperation {
    if ((spec.request === undefined) === (spec.steps === undefined)) {
      this.issues.push(issueAt(this.source, path, 'Give exactly one of "request" or "steps"'));
    }
    const steps: CompiledStep[] = spec.steps
      ? spec.steps.map((step, index) => {
          const at = [...path, 'steps', index];
          return {
            name: step.name,
            request: this.request([...at, 'request'], step.request),
            extract: Object.entries(step.extract ?? {}).map(([key, value]) => [key, this.expression([...at, 'extract', key], value)] as [string, CompiledExpression]),
            outcomes: this.outcomes([...at, 'outcomes'], step.outcomes),
            ...(step.when !== undefined ? { when: this.expression([...at, 'when'], step.when) } : {}),
            ...(step.pagination !== undefined ? { pagination: this.pagination([...at, 'pagination'], step.pagination) } : {}),
            ...(step.items !== undefined ? { items: this.expression([...at, 'items'], step.items) } : {}),
          };
        })
      : spec.request
        ? [{ name: 'main', request: this.request([...path, 'request'], spec.request), extract: [], outcomes: [] }]
        : [];
    const last = steps.at(-1);
    if (last) last.outcomes = [...last.outcomes, ...this.outcomes([...path, 'outcomes'], spec.outcomes)];
    return {
      steps,
      ...(spec.response?.select !== undefined ? { select: this.expression([...path, 'response', 'select'], spec.response.select) } : {}),
      ...(spec.response?.id !== undefined ? { id: this.expression([...path, 'response', 'id'], spec.response.id) } : {}),
    };
  }

  bucket(path: Path, spec: NonNullable<ConnectorManifest['rateLimit']>['buckets'][number]): CompiledBucket {
    let regex = /$^/;
    try {
      regex = new RegExp(spec.match.path);
    } catch (error) {
      this.issues.push(issueAt(this.source, [...path, 'match', 'path'], `Not a regular expression: ${(error as Error).message}`));
    }
    const methods = spec.match.method === undefined ? undefined : new Set(Array.isArray(spec.match.method) ? spec.match.method : [spec.match.method]);
    return {
      name: spec.name,
      path: regex,
      requests: spec.requests,
      perMs: toMilliseconds(spec.per),
      ...(methods ? { methods } : {}),
      ...(spec.key !== undefined ? { key: this.template([...path, 'key'], spec.key) } : {}),
    };
  }

  auth(spec: ConnectorManifest['auth']): CompiledAuth {
    const path = ['auth'];
    switch (spec.type) {
      case 'none':
        return spec;
      case 'apiKey':
        return { type: 'apiKey', in: spec.in, name: spec.name, value: this.template([...path, 'value'], spec.value) };
      case 'bearer':
        return { type: 'bearer', token: this.template([...path, 'token'], spec.token) };
      case 'basic':
        return { type: 'basic', username: this.template([...path, 'username'], spec.username), password: this.template([...path, 'password'], spec.password) };
      case 'oauth2ClientCredentials':
        return {
          type: 'oauth2ClientCredentials',
          tokenUrl: this.template([...path, 'tokenUrl'], spec.tokenUrl),
          clientId: this.template([...path, 'clientId'], spec.clientId),
          clientSecret: this.template([...path, 'clientSecret'], spec.clientSecret),
          clientAuth: spec.clientAuth,
          scopes: spec.scopes,
          params: this.templates([...path, 'params'], spec.params),
        };
    }
  }

  resource(kind: 'User' | 'Group', spec: ResourceSpec): CompiledResource {
    const path = ['resources', kind];
    const seen = new Set<string>();
    spec.schemaExtensions.forEach((extension, index) => {
      if (seen.has(extension.id.toLowerCase())) this.issues.push(issueAt(this.source, [...path, 'schemaExtensions', index, 'id'], `The schema ${extension.id} is declared twice`));
      seen.add(extension.id.toLowerCase());
    });
    const resourceType = appResourceTypes({ [kind]: spec.schemaExtensions })[kind];
    spec.attributes.forEach((attribute, index) => {
      if (!resolveAttribute(resourceType, attribute.replace(/\[.*?\]/g, ''))) {
        this.issues.push(issueAt(this.source, [...path, 'attributes', index], `"${attribute}" is not a SCIM ${kind} attribute`));
      }
    });
    const ops = spec.operations;
    const at = (name: string): Path => [...path, 'operations', name];
    const list = ops.list;
    const filters: CompiledFilter[] = list.filters.map((filter, index) => {
      const filterPath = [...at('list'), 'filters', index];
      if (!resolveAttribute(resourceType, filter.attribute.replace(/\[.*?\]/g, ''))) {
        this.issues.push(issueAt(this.source, [...filterPath, 'attribute'], `"${filter.attribute}" is not a SCIM ${kind} attribute`));
      }
      return {
        attribute: filter.attribute,
        op: filter.op,
        query: this.templates([...filterPath, 'query'], filter.query),
        exact: filter.exact,
        ...(filter.url !== undefined ? { url: this.template([...filterPath, 'url'], filter.url) } : {}),
        ...(filter.pagination !== undefined ? { pagination: this.pagination([...filterPath, 'pagination'], filter.pagination) } : {}),
        ...(filter.items !== undefined ? { items: this.expression([...filterPath, 'items'], filter.items) } : {}),
        ...(filter.id !== undefined ? { id: this.expression([...filterPath, 'id'], filter.id) } : {}),
      };
    });
    const optional = (name: 'deactivate' | 'reactivate' | 'delete') => (ops[name] ? this.operation(at(name), ops[name]) : undefined);
    const members = spec.members;
    return {
      schemaExtensions: spec.schemaExtensions,
      attributes: spec.attributes,
      get: this.operation(at('get'), ops.get),
      list: {
        ...this.operation(at('list'), list),
        pagination: this.pagination([...at('list'), 'pagination'], list.pagination),
        items: this.expression([...at('list'), 'items'], list.items),
        filters,
        maxScan: list.maxScan,
        ...(list.id !== undefined ? { id: this.expression([...at('list'), 'id'], list.id) } : {}),
      },
      ...(ops.create ? { create: { ...this.operation(at('create'), ops.create), onConflict: ops.create.onConflict, getAfter: ops.create.getAfter } } : {}),
      ...(ops.update ? { update: { ...this.operation(at('update'), ops.update), skipIfUnchanged: ops.update.skipIfUnchanged } } : {}),
      deactivate: optional('deactivate'),
      reactivate: optional('reactivate'),
      delete: optional('delete'),
      ...(members
        ? {
            members: {
              add: this.operation([...path, 'members', 'add'], members.add),
              remove: this.operation([...path, 'members', 'remove'], members.remove),
              batchSize: members.batchSize,
              ...(members.addMany ? { addMany: this.operation([...path, 'members', 'addMany'], members.addMany) } : {}),
              ...(members.removeMany ? { removeMany: this.operation([...path, 'members', 'removeMany'], members.removeMany) } : {}),
              ...(members.list
                ? {
                    list: {
                      ...this.operation([...path, 'members', 'list'], members.list),
                      pagination: this.pagination([...path, 'members', 'list', 'pagination'], members.list.pagination),
                      items: this.expression([...path, 'members', 'list', 'items'], members.list.items),
                      memberId: this.expression([...path, 'members', 'list', 'memberId'], members.list.memberId),
                    },
                  }
                : {}),
            },
          }
        : {}),
    };
  }
}

const placeholderExpression: CompiledExpression = { source: '', where: '', evaluate: async () => undefined };
const placeholderTemplate: CompiledTemplate = { source: '', constant: true, render: async () => '' };

/** Loads and compiles one connector folder. Throws ConfigError listing every problem found. */
export function loadConnector(dir: string): CompiledConnector {
  const file = join(dir, 'connector.yaml');
  if (!existsSync(file)) throw new ConfigError([{ file, message: 'No connector.yaml in this folder' }]);
  const source = parseYaml(file, readFileSync(file, 'utf8'));
  const manifest = validateYaml(source, connectorManifest);
  const compiler = new Compiler(source, dir);
  const issues = compiler.issues;
  if (manifest.metadata.id !== basename(resolve(dir))) {
    issues.push(issueAt(source, ['metadata', 'id'], `The id "${manifest.metadata.id}" must equal the folder name "${basename(resolve(dir))}"`));
  }
  const mappings: CompiledConnector['mappings'] = {};
  const resources: CompiledConnector['resources'] = {};
  for (const kind of ['User', 'Group'] as const) {
    const mapping = manifest.mappings[kind];
    if (mapping) {
      const at = ['mappings', kind];
      mappings[kind] = {
        toApp: compiler.expression([...at, 'toApp'], mapping.toApp),
        toScim: compiler.expression([...at, 'toScim'], mapping.toScim),
        ...(mapping.customFields
          ? { customFields: { read: compiler.expression([...at, 'customFields', 'read'], mapping.customFields.read), write: compiler.expression([...at, 'customFields', 'write'], mapping.customFields.write) } }
          : {}),
      };
    }
    const resource = manifest.resources[kind];
    if (!resource) continue;
    if (!mapping) issues.push(issueAt(source, ['resources', kind], `resources.${kind} needs mappings.${kind} (toApp and toScim)`));
    resources[kind] = compiler.resource(kind, resource);
  }
  if (!resources.User && !resources.Group) issues.push(issueAt(source, ['resources'], 'Declare at least one of resources.User or resources.Group'));
  const connector: CompiledConnector = {
    id: manifest.metadata.id,
    dir,
    file,
    manifest,
    http: {
      baseUrl: compiler.template(['http', 'baseUrl'], manifest.http.baseUrl),
      headers: compiler.templates(['http', 'headers'], manifest.http.headers),
      timeoutMs: toMilliseconds(manifest.http.timeout),
      maxResponseBytes: manifest.http.maxResponseBytes,
    },
    auth: compiler.auth(manifest.auth),
    retry: {
      maxAttempts: manifest.retry.maxAttempts,
      initialDelayMs: toMilliseconds(manifest.retry.initialDelay),
      maxDelayMs: toMilliseconds(manifest.retry.maxDelay),
      maxPauseMs: toMilliseconds(manifest.retry.maxPause),
    },
    mappings,
    resources,
    ...(manifest.openapi ? { openapi: manifest.openapi } : {}),
    ...(manifest.rateLimit
      ? {
          rateLimit: {
            requests: manifest.rateLimit.requests,
            perMs: toMilliseconds(manifest.rateLimit.per),
            concurrency: manifest.rateLimit.concurrency,
            buckets: manifest.rateLimit.buckets.map((bucket, index) => compiler.bucket(['rateLimit', 'buckets', index], bucket)),
          },
        }
      : {}),
  };
  if (issues.length) throw new ConfigError(uniqueIssues(issues));
  return connector;
}

/** Content shared through an anchor (*pages) is compiled once per use; report each problem once. */
function uniqueIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = [issue.file, issue.line, issue.col, issue.message].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
