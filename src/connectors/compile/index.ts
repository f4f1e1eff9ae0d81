/**
 * Compiles a JSONata parse tree to plain JS functions, when every node is in the covered subset (paths,
 * predicates, constructors, operators, conditions, blocks with `:=`, common functions: see
 * docs/decisions.md). The functions give JSONata's results as plain JSON values and never a sequence;
 * when a value is one they do not handle exactly as JSONata would, they throw the Bailout sentinel and
 * that one evaluation belongs to the interpreter.
 */
import type { Node } from './ast.ts';
import { bail, Unsupported } from './bail.ts';
import { NodeCompiler } from './compiler.ts';
import { guard } from './lookup.ts';
import { plainResult, storeFor } from './own.ts';
import { Scope } from './scope.ts';
import { Wrapped } from './sequence.ts';
import type { Env } from './types.ts';

export { Bailout, BAILOUT } from './bail.ts';

export type Evaluator = (input: unknown, bindings: Record<string, unknown>) => unknown;

export interface CompiledAst {
  /** What evaluate() gives, as plain JSON values; objects and arrays of the input may be among them. */
  readonly value: Evaluator;
  /** The same value as a tree the caller owns, equal to a JSON copy of the interpreter's result. */
  readonly json: Evaluator;
}

const NO_SLOTS: unknown[] = [];

function build(ast: unknown): CompiledAst {
  const compiler = new NodeCompiler();
  const top = compiler.node(ast as Node, new Scope(undefined, new Set()));
  const slots = compiler.slotCount;
  const called = [...compiler.calls];
  const evaluate = top.fn;
  const run = (input: unknown, bindings: Record<string, unknown>): unknown => {
    for (const name of called) if (Object.prototype.propertyIsEnumerable.call(bindings, name)) bail();
    guard(input);
    const env: Env = { bindings, root: input, slots: slots === 0 ? NO_SLOTS : new Array<unknown>(slots) };
    if (!Array.isArray(input)) return evaluate(input, env);
    const wrapped = new Wrapped();
    wrapped.push(input);
    return evaluate(wrapped, env);
  };
  const store = storeFor(top.built);
  return {
    value: (input, bindings) => plainResult(run(input, bindings)),
    json: (input, bindings) => {
      const result = run(input, bindings);
      return result === undefined ? undefined : store(result);
    },
  };
}

/**
 * The compiled form of `jsonata(source).ast()`, or undefined when some node is left to the interpreter (a
 * tree the compiler cannot read at all, too: the interpreter still can).
 */
export function compileAst(ast: unknown): CompiledAst | undefined {
  try {
    return build(ast);
  } catch {
    return undefined;
  }
}

/** Why compileAst gives undefined for this tree (for reports), or undefined when it compiles. */
export function whyNotCompiled(ast: unknown): string | undefined {
  try {
    build(ast);
    return undefined;
  } catch (error) {
    if (error instanceof Unsupported) return error.message;
    throw error;
  }
}
