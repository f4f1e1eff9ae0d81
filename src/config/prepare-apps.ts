/**
 * The first half of start-up and of every reload: finds each app's connector, loads it, and resolves the
 * app's tokens, settings, secrets and inbound auth against what the connector declares. Nothing is opened
 * or started here, so a config with problems is refused whole, with every problem reported at once.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConnector } from '../connectors/loader.ts';
import type { CompiledConnector } from '../connectors/compiled.ts';
import { ConfigError, type ConfigIssue } from '../errors.ts';
import { resolveAppAuth, type AppAuth } from '../http/oauth/app-auth.ts';
import { appSchema, type AppSchema } from './app-schemas.ts';
import { toMilliseconds } from './duration.ts';
import type { AppConfig, GatewayConfig } from './schema.ts';
import { resolveSecret, resolveSetting } from './secrets.ts';

export function withBucketOverrides(connector: CompiledConnector, entry: AppConfig): CompiledConnector {
  const overrides = entry.rateLimit?.buckets ?? {};
  if (!connector.rateLimit || !Object.keys(overrides).length) return connector;
  const buckets = connector.rateLimit.buckets.map((bucket) => {
    const override = overrides[bucket.name];
    return override ? { ...bucket, requests: override.requests, perMs: toMilliseconds(override.per) } : bucket;
  });
  return { ...connector, rateLimit: { ...connector.rateLimit, buckets } };
}

function findConnector(dirs: string[], name: string): string | undefined {
  return dirs.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'connector.yaml')));
}

export interface AppParts {
  tokens: string[];
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** Resolves an app's tokens, settings and secrets against what its connector declares. */
function appParts(
  entry: AppConfig,
  connector: CompiledConnector,
  where: string,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
): AppParts {
  const guard = <T>(work: () => T): T | undefined => {
    try {
      return work();
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
      return undefined;
    }
  };
  const tokens = entry.tokens
    .map((ref) => guard(() => resolveSecret(ref, `${where} apps.${entry.id}.tokens`, env)))
    .filter((token): token is string => token !== undefined);
  const settings: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(connector.manifest.settings)) {
    const given = entry.settings[name];
    const value =
      given !== undefined
        ? guard(() => resolveSetting(given, `${where} apps.${entry.id}.settings.${name}`, env))
        : declaration.env && env[declaration.env] !== undefined
          ? env[declaration.env]
          : declaration.default;
    if (value === undefined && declaration.required) {
      issues.push({
        file: where,
        path: `apps.${entry.id}.settings.${name}`,
        message: `The ${connector.id} connector needs the setting "${name}"${declaration.env ? ` (or the environment variable ${declaration.env})` : ''}`,
      });
    }
    if (value !== undefined) settings[name] = value;
  }
  for (const name of Object.keys(entry.rateLimit?.buckets ?? {})) {
    if (!connector.rateLimit?.buckets.some((bucket) => bucket.name === name)) {
      issues.push({
        file: where,
        path: `apps.${entry.id}.rateLimit.buckets.${name}`,
        message: `The ${connector.id} connector has no rate-limit bucket "${name}"`,
      });
    }
  }
  if (entry.onDelete === 'deactivate' && !(connector.resources.User?.deactivate && connector.resources.User.reactivate))
    issues.push({
      file: where,
      path: `apps.${entry.id}.onDelete`,
      message: `The ${connector.id} connector cannot deactivate users (it has no deactivate and reactivate operations), so onDelete must be delete`,
    });
  for (const name of Object.keys(entry.settings)) {
    if (!(name in connector.manifest.settings))
      issues.push({
        file: where,
        path: `apps.${entry.id}.settings.${name}`,
        message: `The ${connector.id} connector has no setting "${name}"`,
      });
  }
  const secrets: Record<string, string> = {};
  for (const [name, declaration] of Object.entries(connector.manifest.secrets)) {
    const ref =
      entry.secrets[name] ??
      (declaration.env && env[declaration.env] !== undefined ? `env:${declaration.env}` : undefined);
    const value = ref ? guard(() => resolveSecret(ref, `${where} apps.${entry.id}.secrets.${name}`, env)) : undefined;
    if (!ref && declaration.required) {
      issues.push({
        file: where,
        path: `apps.${entry.id}.secrets.${name}`,
        message: `The ${connector.id} connector needs the secret "${name}"${declaration.env ? ` (set ${declaration.env} or give secrets.${name})` : ''}`,
      });
    }
    if (value !== undefined) secrets[name] = value;
  }
  return { tokens, settings, secrets };
}

export interface Prepared {
  config: GatewayConfig;
  connectors: Map<string, CompiledConnector>;
  parts: Map<string, AppParts>;
  auth: Map<string, AppAuth>;
  /** Per app: its resource types (with declared extensions) and custom field mappings. */
  schemas: Map<string, AppSchema>;
}

export interface Where {
  file: string;
  base: string;
  env: NodeJS.ProcessEnv;
}

/** Loads every app's connector and resolves its tokens, settings and secrets; every problem at once. */
export function prepare(config: GatewayConfig, where: Where): Prepared {
  const issues: ConfigIssue[] = [];
  const connectorDirs = config.connectorDirs.map((dir) => resolve(where.base, dir));
  const connectors = new Map<string, CompiledConnector>();
  for (const entry of config.apps) {
    if (connectors.has(entry.connector)) continue;
    const dir = findConnector(connectorDirs, entry.connector);
    if (!dir) {
      issues.push({
        file: where.file,
        path: `apps.${entry.id}.connector`,
        message: `No connector "${entry.connector}" in ${connectorDirs.join(', ')}`,
      });
      continue;
    }
    try {
      connectors.set(entry.connector, loadConnector(dir));
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
    }
  }
  const parts = new Map<string, AppParts>();
  const schemas = new Map<string, AppSchema>();
  for (const entry of config.apps) {
    const connector = connectors.get(entry.connector);
    if (!connector) continue;
    parts.set(entry.id, appParts(entry, connector, where.file, where.env, issues));
    schemas.set(entry.id, appSchema(connector, entry, where.file, issues));
  }
  const auth = resolveAppAuth(config, where.file, where.env, issues);
  if (issues.length) throw new ConfigError(issues);
  return { config, connectors, parts, auth, schemas };
}
