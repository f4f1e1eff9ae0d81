/**
 * Optional JSON persistence. Writes are debounced because a provisioning burst changes state
 * many times per second, and go through a temp file + rename so a crash never leaves half a file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoreSnapshot } from './model.ts';

const DEBOUNCE_MS = 100;

function isRecordArray(value: unknown): value is Array<Record<string, unknown>> {
  return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
}

/** Returns undefined when the file does not exist; throws on a file that exists but is not a snapshot. */
export function loadSnapshot(file: string): StoreSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read demo app snapshot ${file}: ${(error as Error).message}`, { cause: error });
  }
  const s = data as Partial<Record<keyof StoreSnapshot, unknown>> | null;
  const valid =
    typeof s === 'object' &&
    s !== null &&
    s.version === 1 &&
    Number.isSafeInteger(s.next_user_id) &&
    Number.isSafeInteger(s.next_team_id) &&
    isRecordArray(s.users) &&
    s.users.every((u) => Number.isSafeInteger(u.id) && typeof u.user_name === 'string') &&
    isRecordArray(s.teams) &&
    s.teams.every((t) => Number.isSafeInteger(t.id) && typeof t.name === 'string') &&
    isRecordArray(s.memberships);
  if (!valid) throw new Error(`Demo app snapshot ${file} is not a version 1 snapshot`);
  return data as StoreSnapshot;
}

export class SnapshotWriter {
  readonly #file: string;
  readonly #read: () => StoreSnapshot;
  #timer: NodeJS.Timeout | undefined;
  /** Writes run one after another, so an older state can never overwrite a newer one. */
  #chain: Promise<void> = Promise.resolve();

  constructor(file: string, read: () => StoreSnapshot) {
    this.#file = file;
    this.#read = read;
  }

  schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#enqueue();
    }, DEBOUNCE_MS);
  }

  /** Writes any pending change now and waits for every write to land. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      await this.#enqueue();
    }
    await this.#chain;
  }

  #enqueue(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#write());
    return this.#chain;
  }

  async #write(): Promise<void> {
    // The state is read when the write starts, so one write covers every change before it.
    const text = `${JSON.stringify(this.#read(), null, 2)}\n`;
    const temp = `${this.#file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.#file), { recursive: true });
      await writeFile(temp, text);
      await rename(temp, this.#file);
    } catch (error) {
      // Persistence is best-effort for a demo: losing a write must not take the API down.
      console.error(`demo app: could not write snapshot ${this.#file}: ${(error as Error).message}`);
    }
  }
}
