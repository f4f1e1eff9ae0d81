/**
 * From gateway.yaml to each app's inbound auth beyond static tokens: its OAuth clients (with the one
 * gateway-wide signer) and its external JWT issuer. Resolved with the rest of the config, so a missing
 * secret is reported at start-up (and on reload) together with every other problem.
 */
import type { GatewayConfig } from '../../config/schema.ts';
import { toMilliseconds } from '../../config/duration.ts';
import { resolveSecret } from '../../config/secrets.ts';
import { ConfigError, type ConfigIssue } from '../../errors.ts';
import { ClientSet } from './clients.ts';
import { ExternalJwt } from './external-jwt.ts';
import { MIN_SIGNING_KEY_LENGTH, TokenSigner } from './issued-tokens.ts';

export interface OAuthApp {
  clients: ClientSet;
  signer: TokenSigner;
  lifetimeSeconds: number;
}

export interface AppAuth {
  oauth?: OAuthApp;
  jwt?: ExternalJwt;
}

/** Every app's AppAuth by app id; problems are added to `issues` (nothing is thrown for a config problem). */
export function resolveAppAuth(
  config: GatewayConfig,
  file: string,
  env: NodeJS.ProcessEnv,
  issues: ConfigIssue[],
): Map<string, AppAuth> {
  const secret = (ref: string, where: string): string | undefined => {
    try {
      return resolveSecret(ref, `${file} ${where}`, env);
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else throw error;
      return undefined;
    }
  };
  const result = new Map<string, AppAuth>();
  let signer: TokenSigner | undefined;
  const ref = config.server.tokenSigningKey;
  if (ref && config.apps.some((entry) => entry.oauth)) {
    const key = secret(ref, 'server.tokenSigningKey');
    if (key !== undefined && key.length < MIN_SIGNING_KEY_LENGTH)
      issues.push({
        file,
        path: 'server.tokenSigningKey',
        message: `The token signing key must be at least ${MIN_SIGNING_KEY_LENGTH} characters`,
      });
    else if (key !== undefined) signer = new TokenSigner(key);
  }
  for (const entry of config.apps) {
    const auth: AppAuth = {};
    if (entry.oauth && !ref)
      issues.push({
        file,
        path: `apps.${entry.id}.oauth`,
        message: 'oauth needs server.tokenSigningKey to sign the access tokens',
      });
    if (entry.oauth) {
      const clients = entry.oauth.clients.flatMap((client, index) => {
        const value = secret(client.secret, `apps.${entry.id}.oauth.clients.${index}.secret`);
        return value === undefined ? [] : [{ id: client.id, secret: value }];
      });
      if (signer)
        auth.oauth = {
          clients: new ClientSet(clients),
          signer,
          lifetimeSeconds: Math.round(toMilliseconds(entry.oauth.tokenLifetime) / 1000),
        };
    }
    if (entry.jwt) auth.jwt = new ExternalJwt(entry.jwt);
    result.set(entry.id, auth);
  }
  return result;
}
