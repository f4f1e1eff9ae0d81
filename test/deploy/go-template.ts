/**
 * A renderer for the small subset of Helm's Go templates the chart keeps to on purpose, because CI has no
 * helm binary: `{{ .Values.a.b }}`, `{{ .Release.Name }}`, `{{ if X }}…{{ else }}…{{ end }}`, the pipes
 * `quote`, `toYaml` and `nindent N`, and `{{-`/`-}}` whitespace trimming. Anything else throws, so a
 * template drifting outside the subset fails the test instead of rendering wrongly.
 */
import { stringify } from 'yaml';

export interface TemplateContext {
  Values: Record<string, unknown>;
  Release: { Name: string; Namespace: string };
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'print'; expr: string }
  | { kind: 'if'; expr: string; then: Node[]; else: Node[] };

interface Token {
  kind: 'text' | 'action';
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
  let last = 0;
  let trimNext = false;
  for (const match of source.matchAll(pattern)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    tokens.push({ kind: 'text', text }, { kind: 'action', text: match[2]! });
    trimNext = match[3] === '-';
    last = match.index + match[0].length;
  }
  let tail = source.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  tokens.push({ kind: 'text', text: tail });
  return tokens;
}

function parse(tokens: Token[]): Node[] {
  const root: Node[] = [];
  // Each open `if` with the list its branch is currently filling.
  const stack: { node: Extract<Node, { kind: 'if' }>; target: Node[] }[] = [];
  let target = root;
  for (const token of tokens) {
    if (token.kind === 'text') {
      if (token.text) target.push({ kind: 'text', text: token.text });
      continue;
    }
    const action = token.text;
    if (action.startsWith('if ')) {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', expr: action.slice(3).trim(), then: [], else: [] };
      target.push(node);
      stack.push({ node, target });
      target = node.then;
    } else if (action === 'else') {
      const open = stack.at(-1);
      if (!open) throw new Error('{{ else }} without {{ if }}');
      target = open.node.else;
    } else if (action === 'end') {
      const open = stack.pop();
      if (!open) throw new Error('{{ end }} without {{ if }}');
      target = open.target;
    } else if (action.startsWith('.')) {
      target.push({ kind: 'print', expr: action });
    } else {
      throw new Error(`Outside the chart's template subset: {{ ${action} }}`);
    }
  }
  if (stack.length) throw new Error('{{ if }} without {{ end }}');
  return root;
}

function lookup(path: string, context: TemplateContext): unknown {
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) throw new Error(`Outside the chart's template subset: ${path}`);
  let value: unknown = context;
  for (const key of path.slice(1).split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** Helm's toYaml: block style, no trailing newline. */
function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function evaluate(expr: string, context: TemplateContext): unknown {
  const [head, ...pipes] = expr.split('|').map((part) => part.trim());
  let value = lookup(head!, context);
  for (const pipe of pipes) {
    const [name, ...args] = pipe.split(/\s+/);
    if (name === 'quote' && args.length === 0)
      value = JSON.stringify(value === undefined || value === null ? '' : scalarText(value));
    else if (name === 'toYaml' && args.length === 0) value = toYaml(value);
    else if (name === 'nindent' && args.length === 1 && /^\d+$/.test(args[0]!)) {
      const pad = ' '.repeat(Number(args[0]));
      value = `\n${scalarText(value)
        .split('\n')
        .map((line) => pad + line)
        .join('\n')}`;
    } else throw new Error(`Outside the chart's template subset: | ${pipe}`);
  }
  return value;
}

/** A scalar as Go prints it: strings as they are, numbers and booleans in their usual form. */
function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Go templates' truth: false, 0, nil and empty strings, lists and maps are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function renderNodes(nodes: Node[], context: TemplateContext): string {
  return nodes
    .map((node) => {
      if (node.kind === 'text') return node.text;
      if (node.kind === 'if') return renderNodes(truthy(evaluate(node.expr, context)) ? node.then : node.else, context);
      const value = evaluate(node.expr, context);
      if (value === undefined || value === null) return '';
      if (typeof value === 'object') throw new Error(`${node.expr} is a map or list: pipe it through toYaml`);
      return scalarText(value);
    })
    .join('');
}

export function renderTemplate(source: string, context: TemplateContext): string {
  return renderNodes(parse(tokenize(source)), context);
}
