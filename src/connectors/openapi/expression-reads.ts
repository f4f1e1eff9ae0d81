/**
 * The fields a JSONata expression reads from its input, from JSONata's own parse tree: `office.street`,
 * `roles[primary = true].value` (and `primary` inside the filter), `$o.label` after `$o := office`.
 * Paths are relative to the input; array levels are transparent, as in JSONata. Reads whose context cannot
 * be followed statically (a variable bound to a condition, a lambda's parameter) are left out rather than
 * guessed, so what is reported is certain.
 */

export interface FieldRead {
  /** Property names from the input down. */
  path: string[];
  /** Character offset in the expression source where the last name starts. */
  offset: number;
}

/** The parts of JSONata's parse tree this walk reads; every field is optional, as each node type has few. */
interface Node {
  type?: string;
  value?: unknown;
  position?: number;
  quoted?: boolean;
  steps?: Node[];
  stages?: Node[];
  predicate?: Node[];
  expr?: Node;
  expression?: Node;
  expressions?: Node[];
  arguments?: Node[];
  group?: { lhs: Node[][] };
  /** A node in a binary or a binding; key-value pairs in an object constructor. */
  lhs?: Node | Node[][];
  rhs?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
}
type Context = string[] | undefined;
type Env = Map<string, Context>;

function single(lhs: Node['lhs']): Node | undefined {
  return Array.isArray(lhs) ? undefined : lhs;
}

function pairs(lhs: Node['lhs']): Node[][] {
  return Array.isArray(lhs) ? lhs : [];
}

function nameStart(step: Node): number {
  const name = String(step.value);
  // JSONata's position is the end of the token; a quoted name (`"a b"`) ends past its closing quote.
  return Math.max(0, Number(step.position ?? 0) - name.length - (step.quoted ? 2 : 0));
}

class Walker {
  readonly reads: FieldRead[] = [];

  /** Follows a path expression; returns the context it ends in (undefined when it leaves the input). */
  path(node: Node, context: Context, env: Env): Context {
    let current = context;
    for (const [index, step] of (node.steps ?? []).entries()) {
      if (step.type === 'name') {
        current = current && [...current, String(step.value)];
        if (current) this.reads.push({ path: current, offset: nameStart(step) });
      } else if (step.type === 'variable') {
        if (index > 0) current = undefined;
        else current = step.value === '' ? context : step.value === '$' ? [] : env.get(String(step.value));
      } else {
        this.walk(step, current, env);
        current = undefined;
      }
      for (const stage of step.stages ?? []) if (stage.type === 'filter') this.walk(stage.expr, current, env);
    }
    if (node.group)
      for (const [key, value] of node.group.lhs) {
        this.walk(key, current, env);
        this.walk(value, current, env);
      }
    return current;
  }

  /** The context a bound expression stands for, when it is a plain path (or a block holding one). */
  contextOf(node: Node, context: Context, env: Env): Context {
    if (node.type === 'path') return this.path(node, context, new Map(env));
    if (node.type === 'variable') return node.value === '' ? context : env.get(String(node.value));
    if (node.type === 'block' && node.expressions?.length === 1)
      return this.contextOf(node.expressions[0]!, context, env);
    this.walk(node, context, env);
    return undefined;
  }

  walk(node: Node | undefined, context: Context, env: Env): void {
    if (!node || typeof node !== 'object') return;
    switch (node.type) {
      case 'path':
        this.path(node, context, env);
        break;
      case 'block': {
        const scope = new Map(env);
        for (const expression of node.expressions ?? []) this.walk(expression, context, scope);
        break;
      }
      case 'bind':
        env.set(String(single(node.lhs)?.value), node.rhs ? this.contextOf(node.rhs, context, env) : undefined);
        break;
      case 'condition':
        for (const part of [node.condition, node.then, node.else]) this.walk(part, context, env);
        break;
      case 'function':
      case 'partial':
        for (const argument of node.arguments ?? []) this.walk(argument, context, env);
        break;
      case 'binary':
        this.walk(single(node.lhs), context, env);
        this.walk(node.rhs, context, env);
        break;
      case 'unary':
        if (node.value === '{')
          for (const [key, value] of pairs(node.lhs)) {
            this.walk(key, context, env);
            this.walk(value, context, env);
          }
        else if (node.value === '[') for (const item of node.expressions ?? []) this.walk(item, context, env);
        else this.walk(node.expression, context, env);
        break;
      case 'lambda':
        // Its parameters are unknown statically; only reads through $$ or outer bindings would count.
        break;
      default:
        break;
    }
    for (const stage of node.predicate ?? []) if (stage.type === 'filter') this.walk(stage.expr, undefined, env);
  }
}

/** Every field the expression reads from its input, in source order of their last name. */
export function fieldReads(ast: unknown): FieldRead[] {
  const walker = new Walker();
  walker.walk(ast as Node, [], new Map());
  const seen = new Set<string>();
  return walker.reads
    .filter((read) => {
      const key = read.path.join('\u0000');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.offset - b.offset);
}
