/**
 * The connector's auth block with its templates rendered from the app's settings and secrets, once per
 * app: the outbound client then holds plain values and needs nothing from connectors/.
 */
import type { ResolvedAuth } from '../outbound/auth.ts';
import type { CompiledAuth } from './compiled.ts';
import type { Bindings } from './expression.ts';

export async function resolveAuth(auth: CompiledAuth, bindings: Bindings): Promise<ResolvedAuth> {
  switch (auth.type) {
    case 'none':
      return auth;
    case 'apiKey':
      return { type: 'apiKey', in: auth.in, name: auth.name, value: await auth.value.render(bindings) };
    case 'bearer':
      return { type: 'bearer', token: await auth.token.render(bindings) };
    case 'basic':
      return {
        type: 'basic',
        username: await auth.username.render(bindings),
        password: await auth.password.render(bindings),
      };
    case 'oauth2ClientCredentials': {
      const params: [string, string][] = [];
      for (const [name, template] of auth.params) params.push([name, await template.render(bindings)]);
      return {
        type: 'oauth2ClientCredentials',
        tokenUrl: await auth.tokenUrl.render(bindings),
        clientId: await auth.clientId.render(bindings),
        clientSecret: await auth.clientSecret.render(bindings),
        clientAuth: auth.clientAuth,
        scopes: auth.scopes,
        params,
      };
    }
  }
}
