/**
 * Seeded random inputs for the compiled-expression differential test: SCIM users and groups as Entra
 * sends them and app objects shaped by the fields the connectors' expressions read, with the awkward
 * cases mixed in (missing attributes, nulls, empty and one-item arrays, multi-valued attributes with
 * and without type/primary, numbers where strings are usual, unicode, blanks).
 */
import { mulberry32 } from '../../src/demo-app/seeded-random.ts';

const TEXTS = [
  'jane@acme.test',
  'Jane',
  'Doe',
  'Jane Doe',
  'JANE@ACME.TEST',
  '',
  ' ',
  '  padded  value ',
  'a\tb\nc',
  'Élodie Ünïcödé',
  'Zoë 😀 emoji',
  'Ærøskøbing-Straße',
  'Sales Team (EMEA)',
  'work',
  'home',
  'mobile',
  'fax',
  'other',
  'admin',
  'Agent',
  'owner',
  'member',
  'end-user',
  'active',
  'inactive',
  'pending',
  'taken',
  'True',
  'false',
  'null',
  '42',
  '-0',
  '3.5',
  '1e3',
  '0x1F',
  'abc',
  'x@y',
  'has@two@ats',
  '2026-01-01T00:00:00',
  '2026-01-01T00:00:00Z',
  '2026-01-01T00:00:00+02:00',
  '/3.1/users/abc123',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  '1,2, ,3',
  'already exists',
  'PasswordStrengthError',
  'rate limit exceeded',
  'has already been taken',
  'must be unique',
];

const NUMBERS = [0, 1, -1, 2, 3, 42, 901, 1234567, 3.14159, 0.1 + 0.2, -2.5, 1e21, 123456789.12345679, -0];

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export class InputGenerator {
  readonly #random: () => number;
  readonly #fields: readonly string[];
  readonly #paths: readonly string[][];

  /** `paths`: field-name chains the expressions read (`office.street`), so app objects contain them. */
  constructor(seed: number, paths: readonly string[][]) {
    this.#random = mulberry32(seed);
    this.#paths = paths.length ? paths : [['id']];
    this.#fields = [...new Set(paths.flat())];
  }

  chance(probability: number): boolean {
    return this.#random() < probability;
  }

  int(below: number): number {
    return Math.floor(this.#random() * below);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  text(): string {
    return this.pick(TEXTS);
  }

  scalar(): Json {
    const roll = this.#random();
    if (roll < 0.55) return this.text();
    if (roll < 0.8) return this.pick(NUMBERS);
    if (roll < 0.92) return this.chance(0.5);
    return null;
  }

  /** Any JSON value, structures using the fields the expressions read. */
  value(depth = 0): Json {
    const roll = this.#random();
    if (depth > 2 || roll < 0.6) return this.scalar();
    if (roll < 0.8) return this.array(() => this.value(depth + 1));
    return this.object(depth + 1);
  }

  array<T extends Json>(item: () => T, max = 3): T[] {
    const length = this.chance(0.2) ? 0 : this.chance(0.35) ? 1 : 1 + this.int(max);
    return Array.from({ length }, item);
  }

  object(depth = 0): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    const count = this.int(4);
    for (let i = 0; i < count; i++) out[this.pick(this.#fields)] = this.value(depth + 1);
    return out;
  }

  /** Sets `value` at `path`, making objects (sometimes arrays of objects) on the way. */
  #place(target: { [key: string]: Json }, path: readonly string[], value: Json): void {
    let holder = target;
    for (const key of path.slice(0, -1)) {
      let next = holder[key];
      if (next === undefined || next === null || typeof next !== 'object') {
        next = this.chance(0.2) ? [{}, ...(this.chance(0.5) ? [{}] : [])] : {};
        holder[key] = next;
      }
      holder = (Array.isArray(next) ? this.pick(next) : next) as { [key: string]: Json };
      if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) return;
    }
    holder[path.at(-1)!] = value;
  }

  /** An object holding a random selection of the paths (by default, those the expressions read). */
  appObject(paths: readonly string[][] = this.#paths): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    if (paths.length === 0) return this.object();
    const count = 1 + this.int(Math.min(12, paths.length + 1));
    for (let i = 0; i < count; i++) {
      const value = this.chance(0.8) ? this.scalar() : this.value(1);
      this.#place(out, this.pick(paths), value);
    }
    return out;
  }

  #multiValued(types: readonly string[], value: () => Json, extra: () => { [key: string]: Json } = () => ({})): Json[] {
    return this.array(() => {
      const item: { [key: string]: Json } = { value: value(), ...extra() };
      if (this.chance(0.7)) item.type = this.chance(0.85) ? this.pick(types) : this.scalar();
      if (this.chance(0.4)) item.primary = this.chance(0.6) ? true : this.chance(0.5) ? false : this.scalar();
      if (this.chance(0.1)) delete item.value;
      return item;
    }, 4);
  }

  scimUser(): { [key: string]: Json } {
    const user: { [key: string]: Json } = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] };
    const maybe = (key: string, value: () => Json, probability = 0.75) => {
      if (this.chance(probability)) user[key] = this.chance(0.08) ? null : value();
    };
    maybe('userName', () => (this.chance(0.9) ? this.text() : this.scalar()), 0.95);
    maybe('externalId', () => this.text());
    maybe('displayName', () => this.text());
    maybe('title', () => this.text(), 0.5);
    maybe('preferredLanguage', () => this.pick(['en-US', 'fr', '']), 0.4);
    maybe('active', () => (this.chance(0.8) ? this.chance(0.7) : this.pick(['True', 'False', 1])), 0.7);
    maybe('name', () => this.#name());
    maybe('emails', () => this.#multiValued(['work', 'home', 'other'], () => this.text()));
    maybe('phoneNumbers', () => this.#multiValued(['work', 'mobile', 'fax'], () => this.scalar()), 0.5);
    maybe(
      'addresses',
      () =>
        this.#multiValued(
          ['work', 'home'],
          () => this.text(),
          () => this.#address(),
        ),
      0.4,
    );
    maybe('roles', () => this.#multiValued(['WindowsAzureActiveDirectoryRole', 'admin'], () => this.text()), 0.5);
    maybe(ENTERPRISE, () => this.#enterprise(), 0.5);
    if (this.chance(0.3)) user[this.pick(this.#fields)] = this.value(1);
    return user;
  }

  #name(): Json {
    const name: { [key: string]: Json } = {};
    for (const part of ['givenName', 'familyName', 'formatted', 'middleName'])
      if (this.chance(0.6)) name[part] = this.chance(0.9) ? this.text() : this.scalar();
    return name;
  }

  #address(): { [key: string]: Json } {
    const address: { [key: string]: Json } = {};
    for (const part of ['streetAddress', 'locality', 'region', 'postalCode', 'country', 'formatted'])
      if (this.chance(0.6)) address[part] = this.scalar();
    return address;
  }

  #enterprise(): Json {
    const out: { [key: string]: Json } = {};
    if (this.chance(0.6)) out.employeeNumber = this.scalar();
    if (this.chance(0.6)) out.department = this.text();
    if (this.chance(0.5)) out.costCenter = this.text();
    if (this.chance(0.5))
      out.manager = this.chance(0.85) ? { value: this.pick(['12', '901', 'abc', '', '-3', '1e2']) } : this.scalar();
    return out;
  }

  scimGroup(): { [key: string]: Json } {
    const group: { [key: string]: Json } = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'] };
    if (this.chance(0.9)) group.displayName = this.text();
    if (this.chance(0.5)) group.externalId = this.text();
    if (this.chance(0.4)) group.members = this.array(() => ({ value: String(this.int(1000)) }));
    return group;
  }

  /**
   * A value for a binding an expression reads, by what the gateway puts under that name; `paths` are the
   * field chains the expressions read from it (`$steps.read.agentIds`: read.agentIds).
   */
  binding(name: string, config: Record<string, Json>, paths: readonly string[][]): Json {
    if (paths.length > 0 && name !== 'config' && this.chance(0.6)) return this.appObject(paths);
    switch (name) {
      case 'config':
        return this.chance(0.7) ? config : { ...config, ...this.appObject(paths) };
      case 'member':
      case 'id':
        return this.chance(0.8) ? String(this.pick([1, 2, 42, 901, 1234567])) : this.scalar();
      case 'members':
        return this.array(() => String(this.int(1000)), 5);
      case 'filter':
        return { attribute: 'userName', op: 'eq', value: this.text() };
      case 'scim':
      case 'old':
        return this.scimUser();
      case 'headers':
        return { location: this.pick(['/3.1/users/abc123', 'http://h/3.1/users/9']), 'retry-after': '5' };
      default:
        return this.chance(0.7) ? this.appObject() : this.value();
    }
  }
}
