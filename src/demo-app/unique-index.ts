import { taken } from './errors.ts';

/** Case-insensitive name -> id index that backs the "taken" checks for user_name and team name. */
export class UniqueIndex {
  #ids = new Map<string, number>();
  readonly #field: string;

  constructor(field: string) {
    this.#field = field;
  }

  /** Throws `taken` unless `name` is free or already belongs to `self`. */
  check(name: string, self?: number): void {
    const owner = this.#ids.get(name.toLowerCase());
    if (owner !== undefined && owner !== self) {
      throw taken(this.#field, `${this.#field} "${name}" is already taken`);
    }
  }

  /** The id holding `name` (case-insensitive), if any. */
  find(name: string): number | undefined {
    return this.#ids.get(name.toLowerCase());
  }

  set(name: string, id: number): void {
    this.#ids.set(name.toLowerCase(), id);
  }

  rename(from: string, to: string, id: number): void {
    this.#ids.delete(from.toLowerCase());
    this.#ids.set(to.toLowerCase(), id);
  }

  delete(name: string): void {
    this.#ids.delete(name.toLowerCase());
  }

  clear(): void {
    this.#ids.clear();
  }
}
