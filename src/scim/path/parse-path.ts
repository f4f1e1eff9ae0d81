/**
 * RFC 7644 §3.5.2 PATCH path parser: PATH = attrPath / valuePath [subAttr].
 *
 *   "name.familyName"                       → { path: { attr: "name", sub: "familyName" } }
 *   "emails[type eq \"work\"].value"        → { path: { attr: "emails" }, filter: <type eq "work">, sub: "value" }
 *   "urn:…:enterprise:2.0:User:manager"     → { path: { uri: "urn:…:enterprise:2.0:User", attr: "manager" } }
 *   "urn:…:enterprise:2.0:User"             → { path: { uri: "urn:…:enterprise:2.0:User", attr: "" } }  (a whole extension)
 *
 * Without a filter, a sub-attribute is `path.sub`; with a filter, `path` has no sub and the sub-attribute
 * after "]." is `sub`. Names keep the client's case. The "[…]" part is parsed by the filter parser, so
 * its errors (reported as invalidPath here) and leniencies are the filter's.
 */
import { ScimRequestError } from '../../errors.ts';
import type { AttrPath, Filter } from '../filter/ast.ts';
import { Scanner } from '../filter/lexer.ts';
import { checkValuePathTarget, MAX_FILTER_LENGTH, parseBracketFilter } from '../filter/parse.ts';

export interface PatchPath {
  path: AttrPath;
  /** The value filter in "attr[filter]": paths inside are relative to the elements of `path`. */
  filter?: Filter;
  /** The sub-attribute after "]." in "attr[filter].sub". */
  sub?: string;
}

export function parsePatchPath(text: string): PatchPath {
  if (typeof text !== 'string') throw new ScimRequestError('invalidPath', 'Invalid path: the path must be a string');
  if (text.length > MAX_FILTER_LENGTH) {
    throw new ScimRequestError(
      'invalidPath',
      `Invalid path: the path is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    );
  }
  const s = new Scanner(text, 'invalidPath');
  s.skipSpace();
  if (s.atEnd()) {
    throw new ScimRequestError(
      'invalidPath',
      'Invalid path: the path is empty; name an attribute such as "name.familyName" or "emails[type eq \\"work\\"].value"',
    );
  }
  const start = s.pos;
  const path = s.readAttrPath();
  const result: PatchPath = { path };
  if (s.peek() === '[') {
    checkValuePathTarget(s, path, s.text.slice(start, s.pos));
    result.filter = parseBracketFilter(s);
    if (s.peek() === '.') {
      s.pos++;
      result.sub = s.readName();
    }
  }
  s.skipSpace();
  if (!s.atEnd()) {
    const what = result.filter
      ? 'after the value filter, only ".subAttribute" may follow'
      : 'expected "[", "." or the end of the path';
    s.fail(`${what}; found ${s.describe()}`);
  }
  return result;
}
