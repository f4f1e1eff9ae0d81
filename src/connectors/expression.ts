/**
 * JSONata expressions and {{ }} templates of a connector, compiled once at load time (compiling costs
 * ~100 µs, more than evaluating) so that a syntax error fails start-up with file, line and column. Most
 * are also compiled to plain functions (./compile), which the interpreter backs whenever they hand over.
 */
import jsonata from 'jsonata';
import { ConfigError, ExpressionError, GatewayError, type ConfigIssue } from '../errors.ts';
import { compileAst, type Evaluator } from './compile/index.ts';

export type Bindings = Record<string, unknown>;

export interface CompiledExpression {
  readonly source: string;
  readonly where: string;
  /** Where the source starts, for positions inside it (check-spec). */
  readonly origin?: SourceLocation;
  /** The parse tree (JSONata's own), absent for the simple $variable fast path. */
  ast?(): unknown;
  evaluate(input: unknown, bindings?: Bindings): Promise<unknown>;
  /**
   * The same value as plain JSON its caller owns (no JSONata sequence, no object shared with the input):
   * what JSON.parse(JSON.stringify(evaluate())) gives, which compiled expressions build directly.
   */
  evaluateJson(input: unknown, bindings?: Bindings): Promise<unknown>;
}

/** Where an expression's text starts: the file and the 1-based line/column of its first character. */
export interface SourceLocation {
  file: string;
  line?: number;
  col?: number;
  path?: string;
  /**
   * Columns stripped from the start of every line after the first (a YAML block scalar's indentation),
   * added back so that errors on later lines point at the right column of the file.
   */
  indent?: number;
}

interface JsonataError {
  code?: string;
  position?: number;
  token?: unknown;
  message?: string;
}

/** Line/column of a character offset inside an expression whose first character is at `origin`. */
export function locate(source: string, offset: number, origin: SourceLocation): { line?: number; col?: number } {
  if (origin.line === undefined) return {};
  const before = source.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  const line = origin.line + lines.length - 1;
  const col =
    lines.length === 1 ? (origin.col ?? 1) + before.length : (origin.indent ?? 0) + (lines.at(-1)?.length ?? 0) + 1;
  return { line, col };
}

/**
 * The 0-based offset an editor should jump to. JSONata reports `position` as the end of the offending
 * token, so step back to its start (quoted strings and names end with their closing quote); for
 * "(end)" point just past the last non-blank character rather than past trailing newlines.
 */
function errorOffset(source: string, problem: JsonataError): number {
  const token = problem.token;
  if (token === '(end)' || problem.position === undefined) return source.trimEnd().length;
  const end = Math.min(problem.position, source.length);
  if (typeof token === 'string' && token !== '') {
    if (source.slice(end - token.length, end) === token) return end - token.length;
    const quote = source[end - 1];
    if (quote === '"' || quote === "'" || quote === '`') {
      const open = source.lastIndexOf(quote, end - 2);
      if (open >= 0) return open;
    }
  }
  return Math.max(0, end - 1);
}

/**
 * Limits on one evaluation: a connector expression that loops or recurses is stopped (JSONata's own
 * guardrails, D1012 and D1011) instead of holding the event loop, which every request shares. A mapping
 * takes well under a millisecond of CPU; the time limit is wall time from the evaluation's start, so it
 * leaves room for many evaluations interleaving under load.
 */
const GUARDRAILS = { timeout: 1000, stack: 400 };

/** The connector an expression belongs to, from its file (connectors/<id>/connector.yaml or …/mappings/x.jsonata). */
function connectorOf(file: string): string {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('mappings');
  return (at > 0 ? parts[at - 1] : parts.at(-2)) ?? 'app';
}

/**
 * A `$name` or `$name.a.b` reference (templates are mostly `{{ $id }}`) is compiled without parsing it,
 * which costs more than the evaluations; JSONata's literals (`true`, `false`, `null`) are not field names.
 */
const SIMPLE_VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)((?:\.(?!(?:true|false|null)(?:\.|$))[A-Za-z_][A-Za-z0-9_]*)*)$/;

/** The tree JSONata's parser gives for a SIMPLE_VARIABLE match. */
function simpleAst(name: string, path: string): unknown {
  const variable = { type: 'variable', value: name };
  if (!path) return variable;
  return {
    type: 'path',
    steps: [
      variable,
      ...path
        .slice(1)
        .split('.')
        .map((value) => ({ type: 'name', value })),
    ],
  };
}

function parse(source: string, origin: SourceLocation): jsonata.Expression {
  try {
    return jsonata(source, GUARDRAILS);
  } catch (error) {
    const problem = error as JsonataError;
    const issue: ConfigIssue = {
      file: origin.file,
      ...locate(source, errorOffset(source, problem), origin),
      path: origin.path,
      message: `JSONata ${problem.code ?? 'error'}: ${problem.message ?? String(error)}`,
    };
    throw new ConfigError([issue]);
  }
}

const HANDED_OVER = Symbol('handed over to the interpreter');

/**
 * A compiled evaluation, or HANDED_OVER when it bails out (a value it does not handle as JSONata would,
 * or an error JSONata raises): the interpreter then gives JSONata's own answer. Any other fault of the
 * compiled code is handed over too, so that it can cost time but never change an answer.
 */
function runCompiled(evaluator: Evaluator, input: unknown, bindings: Bindings): unknown {
  try {
    return evaluator(input, bindings);
  } catch {
    return HANDED_OVER;
  }
}

/** The JSON form of a value, as JSON.parse(JSON.stringify(value)) gives it (undefined where JSON has none). */
function jsonCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : null;
    case 'object': {
      if (value === null) return null;
      const text = JSON.stringify(value);
      return text === undefined ? undefined : JSON.parse(text);
    }
    default:
      return undefined;
  }
}

export function compileExpression(source: string, origin: SourceLocation): CompiledExpression {
  const where = [origin.file, origin.line, origin.col].filter((part) => part !== undefined).join(':');
  const simple = SIMPLE_VARIABLE.exec(source.trim());
  const parsed = simple ? undefined : parse(source, origin);
  let interpreter = parsed;
  const compiled = compileAst(simple ? simpleAst(simple[1]!, simple[2] ?? '') : parsed!.ast());
  const interpret = async (input: unknown, bindings: Bindings): Promise<unknown> => {
    interpreter ??= jsonata(source, GUARDRAILS);
    try {
      return (await interpreter.evaluate(input, bindings)) as unknown;
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw failure(error, where, origin);
    }
  };
  return {
    source,
    where,
    ...(parsed ? { origin, ast: () => parsed.ast() } : {}),
    async evaluate(input, bindings = {}) {
      const value = compiled ? runCompiled(compiled.value, input, bindings) : HANDED_OVER;
      return value === HANDED_OVER ? interpret(input, bindings) : value;
    },
    async evaluateJson(input, bindings = {}) {
      const value = compiled ? runCompiled(compiled.json, input, bindings) : HANDED_OVER;
      return value === HANDED_OVER ? jsonCopy(await interpret(input, bindings)) : value;
    },
  };
}

function failure(error: unknown, where: string, origin: SourceLocation): ExpressionError {
  const problem = error as JsonataError;
  const why =
    problem.code === 'D1012'
      ? `it ran longer than ${GUARDRAILS.timeout} ms and was stopped`
      : problem.code === 'D1011'
        ? `it nested deeper than ${GUARDRAILS.stack} levels and was stopped`
        : `${problem.code ?? ''} ${problem.message ?? String(error)}`.trim();
  return new ExpressionError(connectorOf(origin.file), `${where}${origin.path ? ` (${origin.path})` : ''}`, why, error);
}

export interface CompiledTemplate {
  readonly source: string;
  /** True when the template has no {{ }} segment. */
  readonly constant: boolean;
  render(bindings: Bindings, encode?: (value: string) => string): Promise<string>;
}

const SEGMENT = /\{\{([\s\S]*?)\}\}/g;

export function compileTemplate(source: string, origin: SourceLocation): CompiledTemplate {
  const parts: (string | CompiledExpression)[] = [];
  let last = 0;
  for (const match of source.matchAll(SEGMENT)) {
    if (match.index > last) parts.push(source.slice(last, match.index));
    const offset = match.index + 2;
    const { line, col } = locate(source, offset, origin);
    parts.push(compileExpression(match[1] ?? '', { ...origin, line: line ?? origin.line, col: col ?? origin.col }));
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  // The lazy match pairs every "{{" with the next "}}", so an unclosed one can only be in the tail.
  const unclosed = source.indexOf('{{', last);
  if (unclosed !== -1) {
    const at = locate(source, unclosed, origin);
    throw new ConfigError([
      { file: origin.file, ...at, path: origin.path, message: 'Unclosed "{{" in template: close it with "}}"' },
    ]);
  }
  return {
    source,
    constant: parts.every((part) => typeof part === 'string'),
    async render(bindings, encode = (value) => value) {
      let out = '';
      for (const part of parts) {
        if (typeof part === 'string') out += part;
        else out += encode(textOf(await part.evaluate(undefined, bindings)));
      }
      return out;
    },
  };
}

/** A value as text: strings as they are, scalars as written, anything else as JSON. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
