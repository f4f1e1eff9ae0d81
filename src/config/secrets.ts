/**
 * Secret references: "env:NAME" or "file:/path". Files are read when resolved, so a rotated Kubernetes
 * secret is picked up without a restart by whoever resolves again.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';

export function resolveSecret(ref: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (value === undefined || value === '')
      throw new ConfigError([{ file: where, message: `The environment variable ${ref.slice(4)} is not set` }]);
    return value;
  }
  if (ref.startsWith('file:')) {
    try {
      return readFileSync(ref.slice(5), 'utf8').trim();
    } catch (error) {
      throw new ConfigError([
        {
          file: where,
          message: `Cannot read the secret file ${ref.slice(5)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        },
      ]);
    }
  }
  // The value is not echoed: a string that is not a reference is most likely the secret itself.
  throw new ConfigError([
    {
      file: where,
      message: 'This is not a secret reference: give "env:NAME" or "file:/path", never the secret inline',
    },
  ]);
}

/** A setting value: "env:NAME" is read from the environment, anything else is taken as written. */
export function resolveSetting(
  value: string | number | boolean,
  where: string,
  env: NodeJS.ProcessEnv = process.env,
): string | number | boolean {
  return typeof value === 'string' && value.startsWith('env:') ? resolveSecret(value, where, env) : value;
}
