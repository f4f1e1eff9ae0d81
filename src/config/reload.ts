/**
 * Hot reload: a running gateway picks up a changed gateway.yaml, connector files or `file:` secrets
 * without a restart. The new config and connectors are loaded and validated completely before anything
 * changes; a config with problems is refused and the apps already serving keep serving. A valid one is
 * built into a new generation of apps that replaces the old one in one assignment, and the old one is
 * closed only once the requests that started on it have finished.
 */
import { resolve } from 'node:path';
import type { Counter } from 'prom-client';
import type { CompiledConnector } from '../connectors/compiled.ts';
import { ConfigError, formatIssue, type ConfigIssue } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { InputWatcher } from './input-watcher.ts';
import type { GatewayConfig } from './schema.ts';

/** What one config produced: the apps to serve and the files they were built from. */
export interface Generation {
  /** Every file whose change should trigger a reload. */
  files: string[];
  /** Releases the generation's runtimes; called once, after its last request. */
  close(): void;
}

interface Tracked<G> {
  generation: G;
  inFlight: number;
  retired: boolean;
  closed: boolean;
}

/**
 * The current generation, and the ones still finishing requests. A request is pinned to the generation
 * current when it arrived, for its whole life: it sees one consistent set of apps, and that generation's
 * runtimes (whose pacers reject waiting calls when closed) stay open until it ends. The request keeps
 * the generation it is handed (on koa's ctx.state), so no async context is needed to find it again.
 */
export class Generations<G extends Generation> {
  #current: Tracked<G>;
  readonly #draining = new Set<Tracked<G>>();

  constructor(first: G) {
    this.#current = { generation: first, inFlight: 0, retired: false, closed: false };
  }

  get current(): G {
    return this.#current.generation;
  }

  /** Old generations waiting for their last requests. */
  get draining(): number {
    return this.#draining.size;
  }

  /** Runs `work` (a request) on the current generation, which stays open until `work` has settled. */
  async pin<T>(work: (generation: G) => Promise<T>): Promise<T> {
    const tracked = this.#current;
    tracked.inFlight++;
    try {
      return await work(tracked.generation);
    } finally {
      tracked.inFlight--;
      if (tracked.retired && tracked.inFlight === 0) this.#close(tracked);
    }
  }

  /** Makes `next` current; the previous generation closes as soon as it has no request left. */
  swap(next: G): void {
    const previous = this.#current;
    this.#current = { generation: next, inFlight: 0, retired: false, closed: false };
    previous.retired = true;
    if (previous.inFlight === 0) this.#close(previous);
    else this.#draining.add(previous);
  }

  /** Shutdown: the server has stopped taking requests, so everything closes now. */
  closeAll(): void {
    for (const tracked of [...this.#draining, this.#current]) this.#close(tracked);
  }

  #close(tracked: Tracked<G>): void {
    this.#draining.delete(tracked);
    if (tracked.closed) return;
    tracked.closed = true;
    tracked.generation.close();
  }
}

/** The files a config was built from: the config file, each connector's files and `file:` secrets. */
export function inputFiles(
  configFile: string | undefined,
  config: GatewayConfig,
  connectors: Iterable<CompiledConnector>,
): string[] {
  const files = new Set<string>();
  if (configFile) files.add(resolve(configFile));
  for (const connector of connectors) {
    files.add(resolve(connector.file));
    // Expressions kept in their own file are written { file: path } anywhere in the manifest.
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value === 'object') {
        const entries = Object.entries(value);
        if (entries.length === 1 && entries[0]![0] === 'file' && typeof entries[0]![1] === 'string')
          files.add(resolve(connector.dir, entries[0]![1]));
        else entries.forEach(([, child]) => visit(child));
      }
    };
    visit(connector.manifest);
  }
  for (const app of config.apps) {
    for (const ref of [
      ...app.tokens,
      ...Object.values(app.secrets),
      ...(app.oauth?.clients.map((client) => client.secret) ?? []),
    ])
      if (ref.startsWith('file:')) files.add(resolve(ref.slice(5)));
  }
  return [...files];
}

/** The sections that only take effect at start-up (the open store, the listening server) and changed. */
export function restartSections(running: GatewayConfig, next: GatewayConfig): string[] {
  return (['store', 'server'] as const).filter(
    (section) => JSON.stringify(running[section]) !== JSON.stringify(next[section]),
  );
}

export interface ReloadResult {
  applied: boolean;
  issues: ConfigIssue[];
  /** Changed sections left as they were until the next restart. */
  restartRequired: string[];
}

export interface ReloaderOptions<G extends Generation> {
  generations: Generations<G>;
  /** The config the gateway started with: its store and server stay in use until a restart. */
  running: GatewayConfig;
  /** Reads and validates the config and connectors, then builds them; throws ConfigError with every problem. */
  load(): Promise<{ config: GatewayConfig; generation: G }>;
  logger: Logger;
  reloads: Counter<'result'>;
  /** For problems that are not tied to a file (a failure while building). */
  where: string;
}

export class Reloader<G extends Generation> {
  readonly #options: ReloaderOptions<G>;
  #queue: Promise<unknown> = Promise.resolve();
  #watcher: InputWatcher | undefined;
  #closed = false;

  constructor(options: ReloaderOptions<G>) {
    this.#options = options;
  }

  /** One reload at a time: a change that arrives during a reload is read by the next one. */
  reload(): Promise<ReloadResult> {
    const next = this.#queue.then(() => this.#reloadOnce());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Reloads whenever an input file changes (after `debounceMs` of quiet). */
  watch(debounceMs = 200): void {
    if (this.#watcher || this.#closed) return;
    this.#watcher = new InputWatcher(() => void this.reload(), debounceMs, this.#options.logger);
    this.#watcher.watch(this.#options.generations.current.files);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    await this.#queue;
  }

  async #reloadOnce(): Promise<ReloadResult> {
    const { generations, logger, reloads } = this.#options;
    if (this.#closed) return { applied: false, issues: [], restartRequired: [] };
    let loaded: { config: GatewayConfig; generation: G };
    try {
      loaded = await this.#options.load();
    } catch (error) {
      const issues =
        error instanceof ConfigError
          ? error.issues
          : [
              {
                file: this.#options.where,
                message: `The new configuration could not be built: ${(error as Error).message}`,
              },
            ];
      reloads.inc({ result: 'refused' });
      logger.error({ problems: issues.map(formatIssue) }, 'config reload refused');
      return { applied: false, issues, restartRequired: [] };
    }
    const restartRequired = restartSections(this.#options.running, loaded.config);
    if (restartRequired.length)
      logger.warn({ sections: restartRequired }, `restart required for: ${restartRequired.join(', ')}`);
    generations.swap(loaded.generation);
    reloads.inc({ result: 'applied' });
    logger.info({ apps: loaded.config.apps.map((app) => app.id), draining: generations.draining }, 'config reloaded');
    this.#watcher?.watch(loaded.generation.files);
    return { applied: true, issues: [], restartRequired };
  }
}
