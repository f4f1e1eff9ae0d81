/**
 * The syntax tree of an RFC 7644 §3.4.2.2 filter, as the client wrote it. Attribute names keep the
 * client's case; `evaluate.ts` resolves them case-insensitively against a resource type.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

export type CompValue = string | number | boolean | null;

/**
 * An attribute path as written: optional schema URN, attribute name, optional sub-attribute (names keep
 * the client's case). A path naming a whole extension schema ("urn:…:enterprise:2.0:User", only
 * meaningful as a PATCH path) has `uri` set and `attr` = "".
 */
export interface AttrPath {
  uri?: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: CompValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: Filter; right: Filter }
  | { kind: 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  /** emails[type eq "work" and value co "@x"]: `filter` paths are relative to the elements of `path`. */
  | { kind: 'valuePath'; path: AttrPath; filter: Filter };

/** "urn:…:User:name.givenName" / "name.givenName" / "urn:…:User": the path as text (for messages and resolution). */
export function formatAttrPath(path: AttrPath, withSub = true): string {
  let text = path.uri ? (path.attr ? `${path.uri}:${path.attr}` : path.uri) : path.attr;
  if (withSub && path.sub !== undefined) text += `.${path.sub}`;
  return text;
}
