/**
 * Function calls: JSONata's functions the compiled subset covers (builtins.ts), `x ~> $f(y)` (which is
 * `$f(x, y)`), and functions defined in a block and only called (scope.ts, InlineLambda). A call of
 * anything else, a function passed as a value, a partial application or a higher-order function is the
 * interpreter's.
 */
import { checkFlags, child, type Node } from './ast.ts';
import { unsupported } from './bail.ts';
import { BUILTINS, type Builtin, type Call } from './builtins.ts';
import type { NodeCompiler } from './compiler.ts';
import { RegexArgument } from './regex.ts';
import { Scope, type InlineLambda } from './scope.ts';
import type { Compiled, Fn } from './types.ts';

const NOTHING: Fn = () => undefined;

function argument(compiler: NodeCompiler, node: Node, scope: Scope, regexAllowed: boolean): Compiled {
  if (node.type !== 'regex') return compiler.node(node, scope);
  checkFlags(node);
  if (!regexAllowed || !(node.value instanceof RegExp) || node.predicate || node.group)
    unsupported('a regular expression where a string is expected');
  const regex = new RegexArgument(node.value);
  return { fn: () => regex, built: true };
}

function invoke(call: Call, args: readonly Fn[]): Fn {
  const [first = NOTHING, second = NOTHING, third = NOTHING] = args;
  switch (args.length) {
    case 1:
      return (input, env) => call(first(input, env), undefined, undefined);
    case 2:
      return (input, env) => call(first(input, env), second(input, env), undefined);
    default:
      return (input, env) => call(first(input, env), second(input, env), third(input, env));
  }
}

function builtinCall(
  compiler: NodeCompiler,
  name: string,
  builtin: Builtin,
  args: readonly Node[],
  scope: Scope,
  first?: Compiled,
): Compiled {
  const count = args.length + (first ? 1 : 0);
  if (count < builtin.min || count > builtin.max) unsupported(`$${name} with ${count} argument(s)`);
  const offset = first ? 1 : 0;
  const compiled = [
    ...(first ? [first] : []),
    ...args.map((arg, index) => argument(compiler, arg, scope, builtin.regex?.includes(index + offset) ?? false)),
  ];
  // A binding of this name would replace the function: checked once per evaluation (index.ts).
  compiler.calls.add(name);
  const built = (builtin.shares ?? []).every((index) => compiled[index]?.built ?? true);
  const argFns = compiled.map((arg) => arg.fn);
  return { fn: invoke(builtin.call, argFns), built };
}

function lambdaCall(lambda: InlineLambda, args: readonly Compiled[]): Compiled {
  const argFns = args.map((arg) => arg.fn);
  const { params, contextSlot, body } = lambda;
  const fn: Fn = (input, env) => {
    // Every argument is evaluated before any parameter is set: an argument may call the same function.
    const values = argFns.map((arg) => arg(input, env));
    for (let i = 0; i < params.length; i++) env.slots[params[i]!] = values[i];
    return body.fn(env.slots[contextSlot], env);
  };
  return { fn, built: body.built };
}

/** A call `$name(args)`, with `first` as an extra first argument for `first ~> $name(args)`. */
export function compileCall(compiler: NodeCompiler, node: Node, scope: Scope, first?: Compiled): Compiled {
  const procedure = child(node.procedure, 'function call');
  checkFlags(procedure);
  if (procedure.type !== 'variable' || typeof procedure.value !== 'string' || procedure.predicate || procedure.group)
    unsupported('a call of something other than a $name');
  const name = procedure.value;
  const args = node.arguments ?? [];
  if (name === '' || name === '$') unsupported('a call of $ or $$');
  const binding = scope.resolve(name);
  if (binding === 'external') {
    const builtin = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
    if (!builtin) unsupported(`$${name}()`);
    return builtinCall(compiler, name, builtin, args, scope, first);
  }
  if (binding.kind !== 'lambda') unsupported(`a call of $${name}, which holds a value`);
  const compiled = [...(first ? [first] : []), ...args.map((arg) => argument(compiler, arg, scope, false))];
  return lambdaCall(binding.lambda, compiled);
}

/** `x ~> $f(y)`. JSONata applies the right side's call directly, ignoring any predicate on it. */
export function compileApply(compiler: NodeCompiler, node: Node, scope: Scope): Compiled {
  const call = child(node.rhs, 'function application');
  if (call.type !== 'function' || call.predicate || call.group) unsupported('~> to something other than a call');
  checkFlags(call);
  return compileCall(compiler, call, scope, compiler.node(child(node.lhs as Node, 'function application'), scope));
}

/**
 * Inside a function body JSONata turns a call in tail position into a thunk that its caller runs; the
 * value is the call's, so a thunk compiles as the call. A predicate on the way to it would apply to the
 * thunk rather than to the value, which only the interpreter reproduces.
 */
export function compileTailCall(compiler: NodeCompiler, node: Node, scope: Scope): Compiled {
  if (node.thunk !== true || compiler.lambdaDepth === 0) unsupported('a function value');
  return compiler.node(child(node.body, 'tail call'), scope);
}

function plainTail(node: Node | undefined): boolean {
  if (!node) return true;
  if (node.type === 'lambda') return true;
  if (node.type !== 'condition' && node.type !== 'block') return true;
  if (node.predicate || node.group) return !containsThunk(node);
  return node.type === 'condition' ? plainTail(node.then) && plainTail(node.else) : plainTail(node.expressions?.at(-1));
}

function containsThunk(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === 'lambda') return node.thunk === true;
  if (node.type === 'condition') return containsThunk(node.then) || containsThunk(node.else);
  return node.type === 'block' && containsThunk(node.expressions?.at(-1));
}

/** `$name := function($a, $b) { body }`, compiled once where it is defined. */
export function defineLambda(compiler: NodeCompiler, node: Node, scope: Scope): InlineLambda {
  if (node.signature !== undefined) unsupported('a function with a signature');
  if (compiler.lambdaDepth > 0) unsupported('a function defined inside a function');
  const body = child(node.body, 'function');
  if (!plainTail(body)) unsupported('a predicate around a tail call');
  const own = new Scope(scope, new Set(), true);
  const params = (node.arguments ?? []).map((param) => {
    if (param.type !== 'variable' || typeof param.value !== 'string') unsupported('a function parameter');
    const slot = compiler.slot();
    own.declare(param.value, { kind: 'slot', slot });
    return slot;
  });
  const contextSlot = compiler.slot();
  compiler.lambdaDepth++;
  try {
    return { params, contextSlot, body: compiler.node(body, own) };
  } finally {
    compiler.lambdaDepth--;
  }
}
