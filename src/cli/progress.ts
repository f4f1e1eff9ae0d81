/**
 * Progress of long work (a snapshot listing, a drift report, a store copy) on standard error: a bar redrawn
 * in place on a terminal, otherwise a line at most every few seconds, so a log collector gets a heartbeat
 * without a line per object.
 */
import type { CliIo } from './io.ts';

export interface ProgressOptions {
  /** What is counted, e.g. "Users listed". */
  label: string;
  /** The expected total, when known (a bar needs it; lines then show a percentage). */
  total?: number;
  /** Least time between two lines when not on a terminal. */
  everyMs?: number;
  now?: () => number;
}

const WIDTH = 30;

export class Progress {
  readonly #io: CliIo;
  readonly #label: string;
  readonly #total: number | undefined;
  readonly #everyMs: number;
  readonly #now: () => number;
  #last: number;
  #drawn = false;

  constructor(io: CliIo, options: ProgressOptions) {
    this.#io = io;
    this.#label = options.label;
    this.#total = options.total;
    this.#everyMs = options.everyMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    // Work that ends within the first interval prints no progress at all; a terminal's bar starts at once.
    this.#last = io.interactive ? -Infinity : this.#now();
  }

  update(done: number): void {
    const now = this.#now();
    if (this.#io.interactive) {
      if (now - this.#last < 100) return;
      this.#last = now;
      this.#drawn = true;
      this.#io.err(`\r${this.#text(done, true)}`);
      return;
    }
    if (now - this.#last < this.#everyMs) return;
    this.#last = now;
    this.#io.err(`${this.#text(done, false)}\n`);
  }

  /** Ends the bar's line on a terminal; prints nothing otherwise (the caller prints the outcome). */
  end(): void {
    if (this.#drawn) this.#io.err('\n');
    this.#drawn = false;
  }

  #text(done: number, bar: boolean): string {
    const count = `${this.#label}: ${done.toLocaleString('en')}`;
    if (!this.#total) return count;
    const share = Math.min(1, done / this.#total);
    const percent = `${Math.floor(share * 100)}%`;
    if (!bar) return `${count} of ${this.#total.toLocaleString('en')} (${percent})`;
    const filled = Math.round(share * WIDTH);
    return `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent} ${count}`;
  }
}
