/**
 * Loads `connectors/<name>/connector.yaml`: YAML with positions → zod validation → semantic checks →
 * every JSONata expression and template compiled. All problems are collected and reported together as
 * file:line:col with a path, so an author fixes a file in one pass.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { toMilliseconds } from '../config/duration.ts';
import { issueAt, parseYaml, validateYaml } from '../config/yaml-source.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import type { CompiledConnector } from './compiled.ts';
import { Compiler } from './compiler.ts';
import { connectorManifest } from './manifest.ts';

/** Loads and compiles one connector folder. Throws ConfigError listing every problem found. */
export function loadConnector(dir: string): CompiledConnector {
  const file = join(dir, 'connector.yaml');
  if (!existsSync(file)) throw new ConfigError([{ file, message: 'No connector.yaml in this folder' }]);
  const source = parseYaml(file, readFileSync(file, 'utf8'));
  const manifest = validateYaml(source, connectorManifest);
  const compiler = new Compiler(source, dir);
  const issues = compiler.issues;
  if (manifest.metadata.id !== basename(resolve(dir))) {
    issues.push(
      issueAt(
        source,
        ['metadata', 'id'],
        `The id "${manifest.metadata.id}" must equal the folder name "${basename(resolve(dir))}"`,
      ),
    );
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
          ? {
              customFields: {
                read: compiler.expression([...at, 'customFields', 'read'], mapping.customFields.read),
                write: compiler.expression([...at, 'customFields', 'write'], mapping.customFields.write),
              },
            }
          : {}),
      };
    }
    const resource = manifest.resources[kind];
    if (!resource) continue;
    if (!mapping)
      issues.push(issueAt(source, ['resources', kind], `resources.${kind} needs mappings.${kind} (toApp and toScim)`));
    resources[kind] = compiler.resource(kind, resource);
  }
  if (!resources.User && !resources.Group)
    issues.push(issueAt(source, ['resources'], 'Declare at least one of resources.User or resources.Group'));
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
            buckets: manifest.rateLimit.buckets.map((bucket, index) =>
              compiler.bucket(['rateLimit', 'buckets', index], bucket),
            ),
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
