/**
 * Compiles the parts of a validated connector.yaml: every JSONata expression and template (with the
 * file:line:col of its text for errors), requests, outcomes, pagination, operations, buckets, auth and
 * resources. Problems are collected in `issues`; the loader reports them all at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { appResourceTypes } from '../scim/schema/extensions.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';
import { formatPath, issueAt, scalarStart, type YamlSource } from '../config/yaml-source.ts';
import type {
  CompiledAuth,
  CompiledBucket,
  CompiledFilter,
  CompiledList,
  CompiledOperation,
  CompiledOutcome,
  CompiledPagination,
  CompiledRequest,
  CompiledResource,
  CompiledStep,
} from './compiled.ts';
import {
  compileExpression,
  compileTemplate,
  type CompiledExpression,
  type CompiledTemplate,
  type SourceLocation,
} from './expression.ts';
import {
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

export class Compiler {
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
      if (!existsSync(file))
        throw new ConfigError([issueAt(this.source, [...path, 'file'], `File not found: ${value.file}`)]);
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
        return {
          ...spec,
          total: spec.total === undefined ? undefined : this.expression([...path, 'total'], spec.total),
        };
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
            extract: Object.entries(step.extract ?? {}).map(
              ([key, value]) => [key, this.expression([...at, 'extract', key], value)] as [string, CompiledExpression],
            ),
            outcomes: this.outcomes([...at, 'outcomes'], step.outcomes),
            ...(step.when !== undefined ? { when: this.expression([...at, 'when'], step.when) } : {}),
            ...(step.pagination !== undefined
              ? { pagination: this.pagination([...at, 'pagination'], step.pagination) }
              : {}),
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
      ...(spec.response?.select !== undefined
        ? { select: this.expression([...path, 'response', 'select'], spec.response.select) }
        : {}),
      ...(spec.response?.id !== undefined
        ? { id: this.expression([...path, 'response', 'id'], spec.response.id) }
        : {}),
    };
  }

  bucket(path: Path, spec: NonNullable<ConnectorManifest['rateLimit']>['buckets'][number]): CompiledBucket {
    let regex = /$^/;
    try {
      regex = new RegExp(spec.match.path);
    } catch (error) {
      this.issues.push(
        issueAt(this.source, [...path, 'match', 'path'], `Not a regular expression: ${(error as Error).message}`),
      );
    }
    const methods =
      spec.match.method === undefined
        ? undefined
        : new Set(Array.isArray(spec.match.method) ? spec.match.method : [spec.match.method]);
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
        return {
          type: 'basic',
          username: this.template([...path, 'username'], spec.username),
          password: this.template([...path, 'password'], spec.password),
        };
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

  /** A resource's list operation with its filter pushdowns and listing of changes. */
  list(
    path: Path,
    kind: 'User' | 'Group',
    list: ResourceSpec['operations']['list'],
    resourceType: ResourceTypeDef,
  ): CompiledList {
    const filters: CompiledFilter[] = list.filters.map((filter, index) => {
      const filterPath = [...path, 'filters', index];
      if (!resolveAttribute(resourceType, filter.attribute.replace(/\[.*?\]/g, ''))) {
        this.issues.push(
          issueAt(this.source, [...filterPath, 'attribute'], `"${filter.attribute}" is not a SCIM ${kind} attribute`),
        );
      }
      return {
        attribute: filter.attribute,
        op: filter.op,
        query: this.templates([...filterPath, 'query'], filter.query),
        exact: filter.exact,
        ...(filter.url !== undefined ? { url: this.template([...filterPath, 'url'], filter.url) } : {}),
        ...(filter.pagination !== undefined
          ? { pagination: this.pagination([...filterPath, 'pagination'], filter.pagination) }
          : {}),
        ...(filter.items !== undefined ? { items: this.expression([...filterPath, 'items'], filter.items) } : {}),
        ...(filter.id !== undefined ? { id: this.expression([...filterPath, 'id'], filter.id) } : {}),
      };
    });
    return {
      ...this.operation(path, list),
      pagination: this.pagination([...path, 'pagination'], list.pagination),
      items: this.expression([...path, 'items'], list.items),
      filters,
      ...(list.changedSince
        ? { changedSince: { query: this.templates([...path, 'changedSince', 'query'], list.changedSince.query) } }
        : {}),
      maxScan: list.maxScan,
      ...(list.id !== undefined ? { id: this.expression([...path, 'id'], list.id) } : {}),
    };
  }

  resource(kind: 'User' | 'Group', spec: ResourceSpec): CompiledResource {
    const path = ['resources', kind];
    const seen = new Set<string>();
    spec.schemaExtensions.forEach((extension, index) => {
      if (seen.has(extension.id.toLowerCase()))
        this.issues.push(
          issueAt(
            this.source,
            [...path, 'schemaExtensions', index, 'id'],
            `The schema ${extension.id} is declared twice`,
          ),
        );
      seen.add(extension.id.toLowerCase());
    });
    const resourceType = appResourceTypes({ [kind]: spec.schemaExtensions })[kind];
    spec.attributes.forEach((attribute, index) => {
      if (!resolveAttribute(resourceType, attribute.replace(/\[.*?\]/g, ''))) {
        this.issues.push(
          issueAt(this.source, [...path, 'attributes', index], `"${attribute}" is not a SCIM ${kind} attribute`),
        );
      }
    });
    const ops = spec.operations;
    const at = (name: string): Path => [...path, 'operations', name];
    const optional = (name: 'deactivate' | 'reactivate' | 'delete') =>
      ops[name] ? this.operation(at(name), ops[name]) : undefined;
    const members = spec.members;
    return {
      schemaExtensions: spec.schemaExtensions,
      attributes: spec.attributes,
      get: this.operation(at('get'), ops.get),
      list: this.list(at('list'), kind, ops.list, resourceType),
      ...(ops.create
        ? {
            create: {
              ...this.operation(at('create'), ops.create),
              onConflict: ops.create.onConflict,
              getAfter: ops.create.getAfter,
            },
          }
        : {}),
      ...(ops.update
        ? { update: { ...this.operation(at('update'), ops.update), skipIfUnchanged: ops.update.skipIfUnchanged } }
        : {}),
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
              ...(members.removeMany
                ? { removeMany: this.operation([...path, 'members', 'removeMany'], members.removeMany) }
                : {}),
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

const placeholderExpression: CompiledExpression = {
  source: '',
  where: '',
  evaluate: async () => undefined,
  evaluateJson: async () => undefined,
};
const placeholderTemplate: CompiledTemplate = { source: '', constant: true, render: async () => '' };
