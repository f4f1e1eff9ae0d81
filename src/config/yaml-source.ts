/**
 * YAML parsing that keeps source positions, so every config or connector problem is reported as
 * file:line:col with the path and a message a person can act on.
 */
import {
  isAlias,
  isCollection,
  isMap,
  isNode,
  isScalar,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';

export interface YamlSource {
  file: string;
  text: string;
  document: Document;
  lineCounter: LineCounter;
  /** The node at `path`, following aliases (*name) to their anchored node. */
  node(path: readonly PropertyKey[]): Node | undefined;
  /** The position of the node at `path`, or of its nearest existing ancestor. */
  position(path: readonly PropertyKey[]): { line: number; col: number } | undefined;
}

export function parseYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = [...document.errors];
  if (problems.length) {
    throw new ConfigError(
      problems.map((problem) => {
        const { line, col } = lineCounter.linePos(problem.pos[0]);
        return { file, line, col, message: problem.message.split('\n')[0] ?? 'YAML syntax error' };
      }),
    );
  }
  // document.getIn stops at an alias, so a problem inside anchored content (definitions: &pages, used as
  // *pages) would point at the alias; following it points at the text to fix.
  const resolve = (value: unknown): unknown => (isAlias(value) ? value.resolve(document) : value);
  const node = (path: readonly PropertyKey[]): Node | undefined => {
    let current = resolve(document.contents);
    for (const key of path) {
      if (!isCollection(current)) return undefined;
      current = resolve(current.get(key, true));
    }
    return isNode(current) ? current : undefined;
  };
  const position = (path: readonly PropertyKey[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const found = node(path.slice(0, depth));
      if (found?.range) return lineCounter.linePos(found.range[0]);
    }
    return undefined;
  };
  return { file, text, document, lineCounter, node, position };
}

/** The position of the key `key` in the mapping at `path` (for "unknown key" problems). */
export function keyPosition(
  source: YamlSource,
  path: readonly PropertyKey[],
  key: string,
): { line: number; col: number } | undefined {
  const map = source.node(path);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => (isScalar(item.key) ? item.key.value : item.key) === key);
  return isNode(pair?.key) && pair.key.range ? source.lineCounter.linePos(pair.key.range[0]) : undefined;
}

/**
 * Where the text of the scalar at `path` begins, for positions inside it: past the opening quote of a
 * quoted scalar; on the line after the header of a block scalar (| or >), past its indentation, which
 * is also stripped from its later lines (`indent`). Folded and multi-line flow scalars are approximate.
 */
export function scalarStart(
  source: YamlSource,
  path: readonly PropertyKey[],
): { line?: number; col?: number; indent?: number } {
  const node = source.node(path);
  if (!isScalar(node) || !node.range) return source.position(path) ?? {};
  const { line, col } = source.lineCounter.linePos(node.range[0]);
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return { line, col: col + 1 };
  if (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED') return { line, col };
  const headerEnd = source.text.indexOf('\n', node.range[0]);
  if (headerEnd === -1) return { line, col };
  // The first line with content sets the indentation (blank lines before it may be shorter).
  const indent = /^(?:[ \t]*\n)*( *)/.exec(source.text.slice(headerEnd + 1))?.[1]?.length ?? 0;
  return { line: line + 1, col: indent + 1, indent };
}

export function issueAt(source: YamlSource, path: readonly PropertyKey[], message: string): ConfigIssue {
  const position = source.position(path);
  return { file: source.file, line: position?.line, col: position?.col, path: formatPath(path), message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
    '',
  );
}

/** Validates the document against a zod schema; all problems are reported at once. */
export function validateYaml<Schema extends z.ZodType>(source: YamlSource, schema: Schema): z.output<Schema> {
  const result = schema.safeParse(source.document.toJS() ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.flatMap((issue): ConfigIssue[] => {
      // One issue per unknown key, at the key itself: the mapping's position is its first key, which
      // is usually a correctly spelled one.
      if (issue.code !== 'unrecognized_keys') return [issueAt(source, issue.path, issue.message)];
      return issue.keys.map((key) => {
        const at = keyPosition(source, issue.path, key) ?? source.position(issue.path);
        return {
          file: source.file,
          line: at?.line,
          col: at?.col,
          path: formatPath([...issue.path, key]),
          message: `Unknown key "${key}": check the spelling against the schema`,
        };
      });
    }),
  );
}
