/**
 * Graceful shutdown on SIGTERM: /readyz fails at once (so the load balancer stops sending), the listener
 * stays open for `delayMs` so that probe can be seen, then stops accepting; requests in flight may
 * finish within `timeoutMs`, after which their connections are cut. Then the gateway (runtimes, store,
 * audit file) closes. Resolves true when every request finished in time.
 */
import type { Server } from 'node:http';
import type { Logger } from './observability/logger.ts';

export interface Drain {
  /** For buildApp's isDraining: true from the first signal on. */
  readonly draining: () => boolean;
  run(target: DrainTarget): Promise<boolean>;
}

export interface DrainTarget {
  server: Server;
  /** Closes the runtimes, the store and whatever else the process holds. */
  close: () => Promise<void>;
  logger: Logger;
}

export interface DrainOptions {
  /** How long /readyz says 503 before the listener closes (the load balancer's probe interval). */
  delayMs?: number;
  /** The bound on requests in flight. */
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createDrain(options: DrainOptions): Drain {
  let draining = false;
  let running: Promise<boolean> | undefined;
  const drain = async ({ server, close, logger }: DrainTarget): Promise<boolean> => {
    draining = true;
    const timeoutMs = options.timeoutMs ?? 20_000;
    logger.info({ delayMs: options.delayMs ?? 0, timeoutMs }, 'draining: readiness failing');
    if (options.delayMs) await sleep(options.delayMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive sockets would hold close() open; busy ones end after their response.
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      closed.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearInterval(idleSweep);
    clearTimeout(timer);
    if (!finished) {
      logger.warn({ timeoutMs }, 'draining: requests still in flight at the deadline; closing their connections');
      server.closeAllConnections();
    }
    await close();
    logger.info({ clean: finished }, 'stopped');
    return finished;
  };
  return {
    draining: () => draining,
    run(target) {
      running ??= drain(target);
      return running;
    },
  };
}
