/**
 * Variables, resolved at compile time. JSONata looks a `$name` up at run time through frames (a block's
 * `:=` bindings, then the caller's bindings, then its functions). In the compiled subset a `:=` is only
 * ever a statement of a block, and statements run in order, so the binding a reference sees is known
 * from where it stands: the latest `:=` of that name before it, in its own block or an enclosing one.
 * Each such binding gets a slot in the evaluation's state.
 */
import type { Node } from './ast.ts';
import { unsupported } from './bail.ts';
import type { Compiled } from './types.ts';

/**
 * A function defined in a block and only ever called, never passed around: its body may read its
 * parameters and the caller's bindings but no block variable, so it cannot call itself or another one
 * and every call ends.
 */
export interface InlineLambda {
  readonly params: readonly number[];
  /** JSONata evaluates a lambda's body against the context it was defined in, kept here when the `:=` runs. */
  readonly contextSlot: number;
  readonly body: Compiled;
}

export type Binding = { kind: 'slot'; slot: number } | { kind: 'lambda'; lambda: InlineLambda };

export class Scope {
  readonly parent: Scope | undefined;
  /** Every name a statement of this block binds, wherever it stands (what a lambda's body must not read). */
  readonly boundAnywhere: ReadonlySet<string>;
  /** A lambda's parameters: names not among them are looked up among the caller's bindings only. */
  readonly lambda: boolean;
  readonly #names = new Map<string, Binding>();

  constructor(parent: Scope | undefined, boundAnywhere: ReadonlySet<string>, lambda = false) {
    this.parent = parent;
    this.boundAnywhere = boundAnywhere;
    this.lambda = lambda;
  }

  declare(name: string, binding: Binding): void {
    this.#names.set(name, binding);
  }

  /** The binding a reference made now sees, or "external" for the caller's bindings and JSONata's functions. */
  resolve(name: string): Binding | 'external' {
    const found = this.#names.get(name);
    if (found) return found;
    if (this.lambda) return Scope.#beyondLambda(this.parent, name);
    return this.parent ? this.parent.resolve(name) : 'external';
  }

  /**
   * A lambda's body sees its defining blocks as they are when it is called, later `:=`s included, so a
   * name any of them binds is not resolved statically.
   */
  static #beyondLambda(scope: Scope | undefined, name: string): 'external' {
    for (let outer = scope; outer; outer = outer.parent) {
      if (outer.boundAnywhere.has(name)) unsupported(`a function body reading the block variable $${name}`);
    }
    return 'external';
  }
}

/** The names a block's statements bind. */
export function boundNames(statements: readonly Node[]): Set<string> {
  const names = new Set<string>();
  for (const statement of statements) {
    const target = statement.lhs as Node | undefined;
    if (statement.type === 'bind' && target && typeof target.value === 'string') names.add(target.value);
  }
  return names;
}
