/**
 * A character scanner shared by the filter parser and the PATCH path parser. Filter syntax is
 * context-sensitive (a bare value such as `2015-10-10T14:38:21.8617979-07:00` or `example.com` is only
 * a value after an operator), so the parser drives this scanner directly instead of pre-tokenising.
 *
 * Positions in error messages are 1-based character positions in the text the client sent.
 */
import { ScimRequestError } from '../../errors.ts';
import { URN } from '../schema/urns.ts';
import type { AttrPath, CompValue } from './ast.ts';

export type SyntaxErrorType = 'invalidFilter' | 'invalidPath';

/** ALPHA *(nameChar), plus a leading "$" for "$ref". */
const NAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
const PATH_CHAR = /[A-Za-z0-9_\-$:.]/;
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const VERSION = /^\d+(?:\.\d+)*$/;
const KNOWN_SCHEMAS = new Set<string>(Object.values(URN).map((urn) => urn.toLowerCase()));
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export class Scanner {
  readonly text: string;
  readonly errorType: SyntaxErrorType;
  pos = 0;

  constructor(text: string, errorType: SyntaxErrorType) {
    this.text = text;
    this.errorType = errorType;
  }

  /** "filter" or "path", for messages. */
  get noun(): string {
    return this.errorType === 'invalidFilter' ? 'filter' : 'path';
  }

  fail(message: string, at: number = this.pos): never {
    throw new ScimRequestError(this.errorType, `Invalid ${this.noun} at position ${at + 1}: ${message}`);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  /** Skips whitespace; true when there was any. */
  skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
    return this.pos > start;
  }

  /** What the client wrote at `at`, quoted, for "found …" in messages. */
  describe(at: number = this.pos): string {
    if (at >= this.text.length) return `the end of the ${this.noun}`;
    const ch = this.text[at] ?? '';
    if ('()[]'.includes(ch)) return `"${ch}"`;
    const token = /^[^\s()[\]]+/.exec(this.text.slice(at))?.[0] ?? ch;
    const shown = token.length > 30 ? `${token.slice(0, 30)}…` : token;
    return shown.startsWith('"') ? `the string ${shown}` : `"${shown}"`;
  }

  /** The lower-cased run of letters at the cursor when it ends at a token boundary, without consuming it. */
  peekWord(): string | undefined {
    const match = /^[A-Za-z]+/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!match) return undefined;
    const next = this.text[this.pos + match[0].length];
    if (next !== undefined && !/[\s()[\]"]/.test(next)) return undefined;
    return match[0].toLowerCase();
  }

  /** Consumes `ch` or fails with "expected <what>". */
  expect(ch: string, what: string): void {
    if (this.peek() !== ch) this.fail(`expected ${what}, found ${this.describe()}`);
    this.pos++;
  }

  /** attrPath = [URI ":"] ATTRNAME ["." subAttr]; see splitAttrPath. */
  readAttrPath(): AttrPath {
    const start = this.pos;
    while (this.pos < this.text.length && PATH_CHAR.test(this.text[this.pos] ?? '')) this.pos++;
    if (this.pos === start) this.fail(`expected an attribute name, found ${this.describe(start)}`, start);
    return this.splitAttrPath(this.text.slice(start, this.pos), start);
  }

  /** A bare attribute name (the sub-attribute after "]." in `emails[type eq "work"].value`). */
  readName(): string {
    const start = this.pos;
    while (this.pos < this.text.length && PATH_CHAR.test(this.text[this.pos] ?? '')) this.pos++;
    const name = this.text.slice(start, this.pos);
    if (!NAME.test(name)) {
      this.fail(`expected a sub-attribute name (letters, digits, "-" or "_"), found ${this.describe(start)}`, start);
    }
    return name;
  }

  /**
   * Splits "urn:…:2.0:User:name.givenName" at the last ":" (the URN itself contains ":" and "."), then
   * the rest at ".". A URN whose second-to-last segment is a version ("…:2.0:User") or that is a known
   * schema URN names a whole schema: `{ uri, attr: "" }`.
   */
  private splitAttrPath(raw: string, start: number): AttrPath {
    let uri: string | undefined;
    let rest = raw;
    let restStart = start;
    if (/^urn:/i.test(raw)) {
      const colon = raw.lastIndexOf(':');
      const prefix = raw.slice(0, colon);
      const lastSegment = prefix.slice(prefix.lastIndexOf(':') + 1);
      if (KNOWN_SCHEMAS.has(raw.toLowerCase()) || (VERSION.test(lastSegment) && NAME.test(raw.slice(colon + 1)))) {
        return { uri: raw, attr: '' };
      }
      uri = prefix;
      rest = raw.slice(colon + 1);
      restStart = start + colon + 1;
      if (rest === '') this.fail(`expected an attribute name after the schema URN "${prefix}:"`, restStart);
    } else if (raw.includes(':')) {
      this.fail(`":" may only appear in a schema URN ("urn:…:attribute"), found "${raw}"`, start + raw.indexOf(':'));
    }
    const parts = rest.split('.');
    let offset = restStart;
    for (const part of parts) {
      if (!NAME.test(part)) {
        const shown = part === '' ? `an empty name in "${rest}"` : `"${part}"`;
        this.fail(`expected an attribute name (a letter, then letters, digits, "-" or "_"), found ${shown}`, offset);
      }
      offset += part.length + 1;
    }
    if (parts.length > 2) {
      const second = rest.indexOf('.', rest.indexOf('.') + 1);
      this.fail(`an attribute path has at most one "." (attribute.subAttribute), found "${rest}"`, restStart + second);
    }
    const path: AttrPath = { attr: parts[0] ?? '' };
    if (uri !== undefined) path.uri = uri;
    if (parts[1] !== undefined) path.sub = parts[1];
    return path;
  }

  /**
   * compValue: a JSON string, number, true/false/null (any case), or (leniency for Entra and Microsoft's
   * test collection) a bare word running to the next whitespace, ")" or "]", taken as a string.
   */
  readValue(after: string): CompValue {
    if (this.peek() === '"') return this.readString();
    const start = this.pos;
    while (this.pos < this.text.length && !/[\s)\]]/.test(this.text[this.pos] ?? '')) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (word === '') this.fail(`expected a value after "${after}", found ${this.describe(start)}`, start);
    const lower = word.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER.test(word)) return Number(word);
    return word;
  }

  /** A JSON string at the cursor (which is on the opening quote). */
  readString(): string {
    const open = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos] ?? '';
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const esc = this.text[this.pos + 1];
      if (esc === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('expected four hex digits after "\\u" in a string', this.pos);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else if (esc !== undefined && ESCAPES[esc] !== undefined) {
        out += ESCAPES[esc];
        this.pos += 2;
      } else {
        this.fail(
          `unknown escape "\\${esc ?? ''}" in a string; use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX`,
          this.pos,
        );
      }
    }
    return this.fail('unterminated string: add a closing " to the string that starts here', open);
  }
}
