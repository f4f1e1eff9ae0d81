/**
 * YAML parsing that keeps source positions, so every config or connector problem is reported as
 * file:line:col with the path and a message a person can act on.
 */
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.ts';

export interface YamlSource {
  file: string;
  document: Document;
  lineCounter: LineCounter;
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
  const position = (path: readonly PropertyKey[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
    }
    return undefined;
  };
  return { file, document, lineCounter, position };
}

export function issueAt(source: YamlSource, path: readonly PropertyKey[], message: string): ConfigIssue {
  const position = source.position(path);
  return { file: source.file, line: position?.line, col: position?.col, path: formatPath(path), message };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

/** Validates the document against a zod schema; all problems are reported at once. */
export function validateYaml<Schema extends z.ZodType>(source: YamlSource, schema: Schema): z.output<Schema> {
  const result = schema.safeParse(source.document.toJS() ?? {});
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((issue) => issueAt(source, issue.path, describeIssue(issue))));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `Unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling against the schema`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue) return issue.message;
  return issue.message;
}
