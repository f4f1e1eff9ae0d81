/**
 * The parts of JSONata's parse tree (`jsonata(source).ast()`, after its own post-processing) that the
 * compiler reads, and the checks that keep it to the nodes it understands.
 */
import { unsupported } from './bail.ts';

export interface Filter {
  type: string;
  expr?: Node;
}

export interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  stages?: Filter[];
  predicate?: Filter[];
  group?: { lhs: [Node, Node][] };
  /** A binary operator's left side, or an object constructor's key/value pairs. */
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  expressions?: Node[];
  expression?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  procedure?: Node;
  arguments?: Node[];
  body?: Node;
  signature?: unknown;
  thunk?: boolean;
  consarray?: boolean;
}

/**
 * Flags that change how JSONata evaluates a node in ways the compiled code does not reproduce: keeping
 * singleton arrays (`[]`), context and position bindings (`@`, `#`), parent references (`%`).
 */
const UNSUPPORTED_FLAGS = ['keepArray', 'keepSingletonArray', 'focus', 'index', 'tuple', 'ancestor', 'seekingParent'];

export function checkFlags(node: Node): void {
  for (const flag of UNSUPPORTED_FLAGS) {
    // The parser also writes these as undefined (`~>` copies its operands' keepArray), which means unset.
    const value = (node as unknown as Record<string, unknown>)[flag];
    if (value !== undefined && value !== false) unsupported(`"${flag}" on a ${node.type} node`);
  }
}

export function child(node: Node | undefined, what: string): Node {
  if (!node || typeof node !== 'object' || typeof node.type !== 'string') unsupported(`a ${what} without a node`);
  return node;
}

export function pairsOf(value: unknown): [Node, Node][] {
  if (!Array.isArray(value)) unsupported('an object constructor without pairs');
  return value as [Node, Node][];
}

/**
 * Whether two subtrees are the same expression. JSONata parses `a ?: b` as `a ? a : b` (and `a ?? b` as
 * `$exists(a) ? a : b`) with two copies of `a`; recognising the copies lets the compiled code evaluate `a`
 * once, which gives the same value since the compiled subset has no side effects.
 */
export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof RegExp || b instanceof RegExp) return String(a) === String(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => key !== 'position');
  const keysB = Object.keys(b).filter((key) => key !== 'position');
  if (keysA.length !== keysB.length) return false;
  return keysA.every(
    (key) =>
      Object.hasOwn(b, key) && sameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
