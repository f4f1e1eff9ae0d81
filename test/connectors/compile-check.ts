/**
 * One differential check of compiled JSONata against the interpreter, shared by the tests of
 * src/connectors/compile: the same expression, input and bindings through JSONata's interpreter, the
 * compiled functions (value and JSON forms) and the wired CompiledExpression.
 */
import jsonata from 'jsonata';
import { BAILOUT, type CompiledAst } from '../../src/connectors/compile/index.ts';
import { compileExpression } from '../../src/connectors/expression.ts';

/** What plain() made of a value: JSON's copy (sequences become arrays, undefined fields go). */
export function asJson(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

/** Where two values differ, comparing key order, prototypes and numbers with Object.is; undefined if nowhere. */
export function difference(actual: unknown, expected: unknown, at = '$'): string | undefined {
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null)
    return Object.is(actual, expected) ? undefined : `${at}: ${String(actual)} ≠ ${String(expected)}`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${at}: prototypes differ`;
  const keysA = Object.keys(actual);
  const keysB = Object.keys(expected);
  if (keysA.join('\u0000') !== keysB.join('\u0000')) return `${at}: keys [${keysA.join(', ')}] ≠ [${keysB.join(', ')}]`;
  for (const key of keysA) {
    const inner = difference(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      `${at}.${key}`,
    );
    if (inner) return inner;
  }
  return undefined;
}

/** Objects reachable from a value. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value === null || typeof value !== 'object' || into.has(value)) return into;
  into.add(value);
  for (const item of Object.values(value)) objectsOf(item, into);
  return into;
}

export interface Tally {
  cases: number;
  /** Evaluations the compiled code answered (the others bailed out to the interpreter). */
  compiled: number;
  /** Evaluations where JSONata itself fails. */
  errors: number;
  failures: string[];
}

export const emptyTally = (): Tally => ({ cases: 0, compiled: 0, errors: 0, failures: [] });

type Outcome = { value: unknown } | { error: string };

async function interpret(
  expression: jsonata.Expression,
  input: unknown,
  bindings: Record<string, unknown>,
): Promise<Outcome> {
  try {
    return { value: (await expression.evaluate(input, bindings)) as unknown };
  } catch (error) {
    return { error: String((error as { code?: unknown }).code ?? error) };
  }
}

function attempt(run: () => unknown): { value: unknown } | 'bailed' {
  try {
    return { value: run() };
  } catch (error) {
    if (error === BAILOUT) return 'bailed';
    throw error;
  }
}

/** The error code evaluate() of the wired CompiledExpression fails with, or "no error". */
async function wiredError(source: string, input: unknown, bindings: Record<string, unknown>): Promise<string> {
  return compileExpression(source, { file: 'connectors/x/connector.yaml' })
    .evaluate(input, bindings)
    .then(
      () => 'no error',
      (error: unknown) => String(((error as Error).cause as { code?: unknown } | undefined)?.code),
    );
}

/**
 * One expression on one input. Where the compiled code answers, its value must be the interpreter's (as
 * JSON, key order included) and its JSON form exactly a JSON copy of the interpreter's, sharing no object
 * with the input; where the interpreter fails, the compiled code must bail out and evaluate() fail the same way.
 */
export async function check(
  source: string,
  compiled: CompiledAst,
  interpreter: jsonata.Expression,
  input: unknown,
  bindings: Record<string, unknown>,
  tally: Tally,
): Promise<void> {
  const before = JSON.stringify([input, bindings]);
  const value = attempt(() => compiled.value(input, bindings));
  const json = attempt(() => compiled.json(input, bindings));
  const fail = (why: string) =>
    tally.failures.push(
      `${source.trim().slice(0, 160)}\n  input ${JSON.stringify(input)?.slice(0, 300)}\n  bindings ${JSON.stringify(bindings).slice(0, 300)}\n  ${why}`,
    );
  if (JSON.stringify([input, bindings]) !== before) fail('the compiled code changed its input');
  const expected = await interpret(interpreter, input, bindings);
  tally.cases++;
  if ('error' in expected) {
    tally.errors++;
    if (value !== 'bailed' || json !== 'bailed')
      return void fail(`compiled gave a value where JSONata fails (${expected.error})`);
    const wired = await wiredError(source, input, bindings);
    if (wired !== expected.error) fail(`evaluate() failed with ${wired}, JSONata with ${expected.error}`);
    return;
  }
  if (value !== 'bailed') {
    tally.compiled++;
    const problem = difference(asJson(value.value), asJson(expected.value));
    if (problem) fail(`value: ${problem}`);
  }
  if (json !== 'bailed') {
    const problem = difference(json.value, asJson(expected.value));
    if (problem) fail(`json: ${problem}`);
    const inputs = objectsOf([input, bindings]);
    if ([...objectsOf(json.value)].some((object) => inputs.has(object))) fail('json: shares an object with the input');
  }
}
