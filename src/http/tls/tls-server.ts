/**
 * Native HTTPS for Entra, which calls only public HTTPS endpoints (TLS 1.2, a publicly trusted
 * certificate). The certificate and key are secret references, normally files mounted from a Kubernetes
 * TLS Secret that cert-manager renews: their folders are watched and a changed pair is loaded into the
 * running server (setSecureContext), so renewals need no restart and no dropped connection. A pair that
 * does not load (the key written before its certificate, say) is refused and the previous one keeps
 * serving until the next change.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { GatewayConfig } from '../../config/schema.ts';
import { toMilliseconds } from '../../config/duration.ts';
import { ConfigError } from '../../errors.ts';
import { resolveSecret } from '../../config/secrets.ts';
import { InputWatcher } from '../../config/input-watcher.ts';
import type { Logger } from '../../observability/logger.ts';

export type TlsConfig = NonNullable<GatewayConfig['server']['tls']>;
/** Reads and checks a certificate and key pair; throws with a message an operator can act on. */
export function tlsMaterial(tls: TlsConfig, where: string, env: NodeJS.ProcessEnv): SecureContextOptions {
  const options = {
    cert: resolveSecret(tls.cert, `${where} server.tls.cert`, env),
    key: resolveSecret(tls.key, `${where} server.tls.key`, env),
    minVersion: tls.minVersion,
  } satisfies SecureContextOptions;
  try {
    // Parses both and checks that they belong together: a mismatch fails here, not at the first handshake.
    createSecureContext(options);
  } catch (error) {
    throw new ConfigError([
      {
        file: where,
        path: 'server.tls',
        message: `The certificate and key could not be loaded (${(error as Error).message}); give a PEM certificate chain and its private key`,
      },
    ]);
  }
  return options;
}

export interface GatewayServer {
  server: HttpServer | HttpsServer;
  scheme: 'http' | 'https';
  /** Stops watching the certificate files. */
  close(): void;
}

export const DEFAULT_RECEIVE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONNECTIONS = 1024;

/**
 * Limits every connection gets, whoever sends it: Node's own defaults let a client trickling a request
 * hold its socket for 300 s, and accept connections without bound.
 */
function limit<T extends HttpServer | HttpsServer>(server: T, config: GatewayConfig): T {
  const receiveMs =
    config.server.receiveTimeout === undefined
      ? DEFAULT_RECEIVE_TIMEOUT_MS
      : toMilliseconds(config.server.receiveTimeout);
  server.requestTimeout = receiveMs;
  server.headersTimeout = Math.min(receiveMs, DEFAULT_RECEIVE_TIMEOUT_MS);
  server.maxConnections = config.server.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  return server;
}

/** An HTTP server, or an HTTPS one with a watched certificate when server.tls is set; requests are attached by the caller. */
export function createGatewayServer(
  config: GatewayConfig,
  options: { where: string; env: NodeJS.ProcessEnv; logger: Logger },
): GatewayServer {
  const tls = config.server.tls;
  if (!tls) return { server: limit(createHttpServer(), config), scheme: 'http', close() {} };
  const server = limit(createHttpsServer(tlsMaterial(tls, options.where, options.env)), config);
  const reload = () => {
    try {
      server.setSecureContext(tlsMaterial(tls, options.where, options.env));
      options.logger.info('TLS certificate reloaded');
    } catch (error) {
      options.logger.error(
        { err: { message: (error as Error).message } },
        'TLS certificate not reloaded; the previous one keeps serving',
      );
    }
  };
  const files = [tls.cert, tls.key].filter((ref) => ref.startsWith('file:')).map((ref) => ref.slice(5));
  const watcher = new InputWatcher(reload, 500, options.logger);
  watcher.watch(files);
  return { server, scheme: 'https', close: () => watcher.close() };
}
