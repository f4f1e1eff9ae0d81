/** Compiling the nodes that build or walk structures: paths, array and object constructors, group-by. */
import { child, checkFlags, pairsOf, type Node } from './ast.ts';
import { unsupported } from './bail.ts';
import type { NodeCompiler } from './compiler.ts';
import { objectConstructor, groupBy, RESERVED_KEYS, type Pair } from './group.ts';
import { storeFor } from './own.ts';
import { indexFilter, pathFunction, predicateFilter, type Filter, type Step } from './path.ts';
import type { Scope } from './scope.ts';
import { markCons } from './sequence.ts';
import type { Compiled, Fn } from './types.ts';

export function compileFilter(compiler: NodeCompiler, filter: { type: string; expr?: Node }, scope: Scope): Filter {
  if (filter.type !== 'filter') unsupported(`a ${filter.type} stage`);
  const predicate = child(filter.expr, 'predicate');
  if (predicate.type === 'number' && typeof predicate.value === 'number') {
    checkFlags(predicate);
    if (predicate.predicate || predicate.group) unsupported('a predicate on a number predicate');
    return indexFilter(predicate.value);
  }
  return predicateFilter(compiler.node(predicate, scope).fn);
}

function compileStep(compiler: NodeCompiler, node: Node, scope: Scope, first: boolean): [Step, Compiled] {
  if (node.type === 'sort') unsupported('an order-by (^) step');
  const cons = node.consarray === true;
  // JSONata keeps the arrays an array constructor ending a path gives unflattened; only one starting it is covered.
  if (cons && (!first || node.type !== 'unary' || node.value !== '['))
    unsupported('an array constructor ending a path, or a block starting one');
  const stages = (node.stages ?? []).map((stage) => compileFilter(compiler, stage, scope));
  const compiled = compiler.node(node, scope);
  return [{ fn: compiled.fn, stages, variable: node.type === 'variable', cons }, compiled];
}

/**
 * A path's value is built by the path when its last step builds it (`roles.{ "value": $ }`), or when the
 * path groups (`a{ k: v }`): the other steps only choose which values the last one sees.
 */
export function compilePath(compiler: NodeCompiler, node: Node, scope: Scope): Compiled {
  const steps = node.steps;
  if (!Array.isArray(steps) || steps.length === 0) unsupported('a path without steps');
  const compiled = steps.map((step, index) => compileStep(compiler, step, scope, index === 0));
  const group = node.group ? compileGroup(compiler, node.group.lhs, scope) : undefined;
  const plans = compiled.map(([step]) => step);
  return { fn: pathFunction(plans, group), built: group !== undefined || compiled.at(-1)![1].built };
}

function compilePairs(compiler: NodeCompiler, pairs: [Node, Node][], scope: Scope): Pair[] {
  const literals = new Set<string>();
  return pairs.map(([keyNode, valueNode]) => {
    const key = compiler.node(keyNode, scope);
    const value = compiler.node(valueNode, scope);
    const plainKey = keyNode.type === 'string' && typeof keyNode.value === 'string' && !keyNode.predicate;
    const literal = plainKey ? (keyNode.value as string) : undefined;
    if (literal !== undefined) {
      // JSONata fails on these whatever the input (D1009, D1013), or keeps "__proto__" as data, which a plain object cannot.
      if (literals.has(literal) || RESERVED_KEYS.has(literal)) unsupported(`the object key "${literal}"`);
      literals.add(literal);
    }
    return { key: key.fn, value: value.fn, store: storeFor(value.built), literal };
  });
}

export function compileGroup(compiler: NodeCompiler, pairs: unknown, scope: Scope): Fn {
  return groupBy(compilePairs(compiler, pairsOf(pairs), scope));
}

export function compileObject(compiler: NodeCompiler, node: Node, scope: Scope): Compiled {
  return { fn: objectConstructor(compilePairs(compiler, pairsOf(node.lhs), scope)), built: true };
}

/**
 * `[a, b]`: each value appended, an array's items one level flattened, except a nested array
 * constructor's result, which is one item.
 */
export function compileArray(compiler: NodeCompiler, node: Node, scope: Scope): Compiled {
  const items = (node.expressions ?? []).map((item) => {
    const compiled = compiler.node(item, scope);
    return {
      fn: compiled.fn,
      store: storeFor(compiled.built),
      nested: item.type === 'unary' && item.value === '[',
    };
  });
  const cons = node.consarray === true;
  const fn: Fn = (input, env) => {
    const out: unknown[] = [];
    for (const item of items) {
      const value = item.fn(input, env);
      if (value === undefined) continue;
      if (item.nested || !Array.isArray(value)) out.push(item.store(value));
      else for (let i = 0; i < value.length; i++) out.push(item.store(value[i]));
    }
    return cons ? markCons(out) : out;
  };
  return { fn, built: true };
}
