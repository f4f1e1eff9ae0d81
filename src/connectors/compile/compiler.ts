/**
 * Turns JSONata's parse tree into closures: one function per node, each doing for its node what
 * jsonata.js's evaluate() does (the node's own work, then its predicates, a group-by, and unwrapping a
 * sequence of one), synchronously and without JSONata's frames, callbacks and per-node guardrail checks.
 * Nodes outside the subset throw Unsupported; nothing in the subset loops (no recursion, no user
 * function that can call itself), which is why compiled code needs no time limit.
 */
import { checkFlags, child, sameTree, type Node } from './ast.ts';
import { bail, unsupported } from './bail.ts';
import { JSONATA_FUNCTIONS } from './builtins.ts';
import { compileApply, compileCall, compileTailCall, defineLambda } from './calls.ts';
import { boolize, isNumeric, toBoolean } from './coerce.ts';
import { guard, lookup } from './lookup.ts';
import { OPERATORS } from './operators.ts';
import { boundNames, Scope } from './scope.ts';
import { normalize, Wrapped } from './sequence.ts';
import { compileArray, compileFilter, compileGroup, compileObject, compilePath } from './structures.ts';
import type { Compiled, Env, Fn } from './types.ts';

/** JSONata binds the caller's own enumerable properties, over its functions. */
function readBinding(bindings: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.propertyIsEnumerable.call(bindings, name)) return guard(bindings[name]);
  return JSONATA_FUNCTIONS.has(name) ? bail() : undefined;
}

/**
 * Node types whose value may be a sequence that evaluate() unwraps. A variable holds an unwrapped value
 * already; `$` unwraps its own (it is a sequence inside an array constructor that starts a path).
 */
const SEQUENCE_TYPES = new Set(['path', 'name', 'function', 'apply']);

/**
 * JSONata stops an evaluation nested deeper than the interpreter's stack guardrail (400 evaluate() calls,
 * D1011). Compiled code nests as the tree does, a lambda's body on top of its call: a tree kept under
 * half of that cannot reach it, and a deeper one keeps the interpreter and its error.
 */
const MAX_DEPTH = 150;

export class NodeCompiler {
  /** JSONata functions the expression calls: a binding with one of these names makes it the interpreter's. */
  readonly calls = new Set<string>();
  lambdaDepth = 0;
  #slots = 0;
  #depth = 0;

  get slotCount(): number {
    return this.#slots;
  }

  slot(): number {
    return this.#slots++;
  }

  node(node: Node, scope: Scope): Compiled {
    child(node, 'expression');
    checkFlags(node);
    if (++this.#depth > MAX_DEPTH) unsupported('an expression nested this deep');
    try {
      return this.#finish(node, this.#raw(node, scope), scope);
    } finally {
      this.#depth--;
    }
  }

  #raw(node: Node, scope: Scope): Compiled {
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        return literal(node.value);
      case 'name':
        return field(node.value);
      case 'variable':
        return this.#variable(node, scope);
      case 'path':
        return compilePath(this, node, scope);
      case 'binary':
        return this.#binary(node, scope);
      case 'unary':
        return this.#unary(node, scope);
      case 'condition':
        return this.#condition(node, scope);
      case 'block':
        return this.#block(node, scope);
      case 'function':
        return compileCall(this, node, scope);
      case 'apply':
        return compileApply(this, node, scope);
      case 'lambda':
        return compileTailCall(this, node, scope);
      default:
        return unsupported(`a ${node.type} node`);
    }
  }

  /** evaluate()'s epilogue: predicates, a group-by (paths group inside), a sequence of one unwrapped. */
  #finish(node: Node, raw: Compiled, scope: Scope): Compiled {
    const filters = (node.predicate ?? []).map((filter) => compileFilter(this, filter, scope));
    const group = node.type !== 'path' && node.group ? compileGroup(this, node.group.lhs, scope) : undefined;
    if (filters.length === 0 && !group) {
      if (!SEQUENCE_TYPES.has(node.type)) return raw;
      const value = raw.fn;
      return { fn: (input, env) => normalize(value(input, env)), built: raw.built };
    }
    const value = raw.fn;
    const built = raw.built || group !== undefined;
    if (filters.length === 1 && !group) {
      const filter = filters[0]!;
      return { fn: (input, env) => normalize(filter(value(input, env), env)), built };
    }
    const fn: Fn = (input, env) => {
      let result = value(input, env);
      for (let i = 0; i < filters.length; i++) result = filters[i]!(result, env);
      if (group) result = group(result, env);
      return normalize(result);
    };
    return { fn, built };
  }

  #variable(node: Node, scope: Scope): Compiled {
    const name = node.value;
    if (typeof name !== 'string') return unsupported('a variable without a name');
    // `$` is the context, which at the top is an input array wrapped as a one-value sequence.
    if (name === '') return { fn: (input) => normalize(input instanceof Wrapped ? input[0] : input), built: false };
    if (name === '$') return { fn: (_input, env) => env.root, built: false };
    const binding = scope.resolve(name);
    if (binding === 'external') return { fn: (_input, env) => readBinding(env.bindings, name), built: false };
    if (binding.kind === 'lambda') unsupported(`the function $${name} used as a value`);
    const slot = binding.slot;
    return { fn: (_input, env) => env.slots[slot], built: false };
  }

  #binary(node: Node, scope: Scope): Compiled {
    const op = node.value;
    const left = this.node(child(node.lhs as Node, 'operand'), scope).fn;
    const right = this.node(child(node.rhs, 'operand'), scope).fn;
    if (op === 'and')
      return { fn: (input, env) => boolize(left(input, env)) && boolize(right(input, env)), built: true };
    if (op === 'or')
      return { fn: (input, env) => boolize(left(input, env)) || boolize(right(input, env)), built: true };
    const operator = typeof op === 'string' && Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : undefined;
    if (!operator) return unsupported(`the ${String(op)} operator`);
    return { fn: (input, env) => operator(left(input, env), right(input, env)), built: true };
  }

  #unary(node: Node, scope: Scope): Compiled {
    if (node.value === '[') return compileArray(this, node, scope);
    if (node.value === '{') return compileObject(this, node, scope);
    if (node.value !== '-') return unsupported(`the unary ${String(node.value)} operator`);
    const operand = this.node(child(node.expression, 'negation'), scope).fn;
    const fn: Fn = (input, env) => {
      const value = operand(input, env);
      if (value === undefined) return undefined;
      // D1002: negating something other than a number.
      return isNumeric(value) ? -value : bail();
    };
    return { fn, built: true };
  }

  /** `c ? a : b`, with `a ?: b` and `a ?? b` (whose condition repeats `a`) evaluating `a` once. */
  #condition(node: Node, scope: Scope): Compiled {
    const test = child(node.condition, 'condition');
    const then = this.node(child(node.then, 'condition'), scope);
    const otherwise = node.else ? this.node(node.else, scope) : undefined;
    const yes = then.fn;
    const no = otherwise?.fn ?? (() => undefined);
    const built = then.built && (otherwise?.built ?? true);
    if (sameTree(test, node.then)) {
      const fn: Fn = (input, env) => {
        const value = yes(input, env);
        return toBoolean(value) ? value : no(input, env);
      };
      return { fn, built };
    }
    if (isExistsOf(test, node.then!) && scope.resolve('exists') === 'external') {
      this.calls.add('exists');
      return { fn: (input, env) => coalesce(yes(input, env), input, env, no), built };
    }
    const condition = this.node(test, scope).fn;
    return { fn: (input, env) => (toBoolean(condition(input, env)) ? yes(input, env) : no(input, env)), built };
  }

  #block(node: Node, scope: Scope): Compiled {
    const statements = node.expressions ?? [];
    const inner = new Scope(scope, boundNames(statements));
    const compiled = statements.map((statement, index) =>
      statement.type === 'bind'
        ? this.#bind(statement, inner, index === statements.length - 1)
        : this.node(statement, inner),
    );
    const fns = compiled.map((part) => part.fn);
    const built = compiled.at(-1)?.built ?? true;
    if (fns.length === 0) return { fn: () => undefined, built };
    if (fns.length === 1) return { fn: fns[0]!, built };
    const fn: Fn = (input, env) => {
      let result: unknown;
      for (let i = 0; i < fns.length; i++) result = fns[i]!(input, env);
      return result;
    };
    return { fn, built };
  }

  /** `$name := value` as a statement of a block (anywhere else it would bind conditionally). */
  #bind(node: Node, scope: Scope, last: boolean): Compiled {
    checkFlags(node);
    const target = child(node.lhs as Node, 'binding');
    const name = target.value;
    if (node.predicate || node.group || typeof name !== 'string' || name === '' || name === '$')
      unsupported('this binding');
    const value = child(node.rhs, 'binding');
    if (value.type === 'lambda' && value.thunk !== true) {
      if (last) unsupported('a block whose value is a function');
      const lambda = defineLambda(this, value, scope);
      scope.declare(name, { kind: 'lambda', lambda });
      const contextSlot = lambda.contextSlot;
      return { fn: (input, env) => void (env.slots[contextSlot] = input), built: true };
    }
    const compiled = this.node(value, scope);
    const slot = this.slot();
    scope.declare(name, { kind: 'slot', slot });
    const evaluate = compiled.fn;
    return { fn: (input, env) => (env.slots[slot] = evaluate(input, env)), built: compiled.built };
  }
}

function literal(value: unknown): Compiled {
  if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
    unsupported('a literal');
  return { fn: () => value, built: true };
}

function field(name: unknown): Compiled {
  if (typeof name !== 'string') return unsupported('a field without a name');
  return { fn: (input) => lookup(input, name), built: false };
}

/** The condition JSONata's parser writes for `a ?? b`: `$exists(a)`. */
function isExistsOf(test: Node, value: Node): boolean {
  const procedure = test.procedure;
  return (
    test.type === 'function' &&
    procedure?.type === 'variable' &&
    procedure.value === 'exists' &&
    !test.predicate &&
    !test.group &&
    test.arguments?.length === 1 &&
    sameTree(test.arguments[0], value)
  );
}

function coalesce(value: unknown, input: unknown, env: Env, otherwise: Fn): unknown {
  return value !== undefined ? value : otherwise(input, env);
}
