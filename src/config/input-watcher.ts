/** Watching input files (config, connectors, secrets, TLS certificates) for changes. */
import { watch as watchPath, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from '../observability/logger.ts';

/**
 * Watches the folders of the input files rather than the files: editors and Kubernetes replace a file
 * by renaming another over it (a secret mount swaps its `..data` link), which a watch on the old file
 * would never see. Events settle for `debounceMs` first, as one save is often several events.
 */
export class InputWatcher {
  readonly #watchers = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  readonly #onChange: () => void;
  readonly #debounceMs: number;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(onChange: () => void, debounceMs: number, logger: Logger) {
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
    this.#logger = logger;
  }

  watch(files: string[]): void {
    const wanted = new Map<string, Set<string>>();
    for (const file of files.map((name) => resolve(name))) {
      const names = wanted.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      wanted.set(dirname(file), names);
    }
    for (const [dir, entry] of this.#watchers) {
      if (!wanted.has(dir)) {
        entry.watcher.close();
        this.#watchers.delete(dir);
      }
    }
    for (const [dir, names] of wanted) {
      const existing = this.#watchers.get(dir);
      if (existing) {
        existing.names.clear();
        names.forEach((name) => existing.names.add(name));
        continue;
      }
      try {
        const watcher = watchPath(dir, { persistent: false }, (_event, name) => {
          if (name === null || names.has(name) || name.startsWith('..')) this.#schedule();
        });
        watcher.on('error', (error) =>
          this.#logger.warn({ dir, err: error }, 'config watch failed; send SIGHUP to reload'),
        );
        this.#watchers.set(dir, { watcher, names });
      } catch (error) {
        this.#logger.warn({ dir, err: error }, 'cannot watch this folder for config changes; send SIGHUP to reload');
      }
    }
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#onChange, this.#debounceMs);
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
    for (const { watcher } of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }
}
