/**
 * RFC 7644 §3.4.2.2 filter parser (ABNF Figure 1), recursive descent over `Scanner`.
 *
 *   FILTER    = orExp
 *   orExp     = andExp *(SP "or" SP andExp)                 ; left-associative
 *   andExp    = unary *(SP "and" SP unary)                  ; left-associative
 *   unary     = "not" *SP "(" FILTER ")" / "(" FILTER ")" / attrExp / valuePath
 *   valuePath = attrPath "[" FILTER "]" ["." subAttr SP (compareOp SP compValue / "pr")]
 *   attrExp   = attrPath SP ("pr" / compareOp SP compValue)
 *
 * Operators and literals are case-insensitive. Leniencies for Entra and Microsoft's test collection:
 * bare-word values (`externalId eq jyoung`) and the matching form `emails[type eq "work"].value eq "x"`,
 * desugared to `emails[type eq "work" and value eq "x"]`.
 */
import { ScimRequestError } from '../../errors.ts';
import { COMPARE_OPS, type AttrPath, type CompareOp, type Filter } from './ast.ts';
import { Scanner } from './lexer.ts';

export const MAX_FILTER_LENGTH = 10_000;
export const MAX_FILTER_DEPTH = 50;

const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le, pr';

interface Context {
  depth: number;
  /** Inside "[…]": value paths may not nest. */
  inValuePath: boolean;
}

export function parseFilter(text: string): Filter {
  if (typeof text !== 'string')
    throw new ScimRequestError('invalidFilter', 'Invalid filter: the filter must be a string');
  if (text.length > MAX_FILTER_LENGTH) {
    throw new ScimRequestError(
      'invalidFilter',
      `Invalid filter: the filter is ${text.length} characters long; the limit is ${MAX_FILTER_LENGTH}`,
    );
  }
  const s = new Scanner(text, 'invalidFilter');
  s.skipSpace();
  if (s.atEnd())
    throw new ScimRequestError(
      'invalidFilter',
      'Invalid filter: the filter is empty; send an expression such as userName eq "bjensen"',
    );
  const filter = parseOr(s, { depth: 0, inValuePath: false });
  s.skipSpace();
  if (!s.atEnd()) failTrailing(s, 'the end of the filter');
  return filter;
}

/**
 * Parses "[" FILTER "]" at the cursor (which must be on "["), for value paths in filters and in PATCH
 * paths. `depth` is the nesting depth outside the brackets.
 */
export function parseBracketFilter(s: Scanner, depth = 0): Filter {
  const open = s.pos;
  s.expect('[', '"["');
  const filter = parseOr(s, { depth: depth + 1, inValuePath: true });
  s.skipSpace();
  if (s.peek() !== ']') {
    failTrailing(s, `"]" to close the "[" at position ${open + 1}`);
  }
  s.pos++;
  return filter;
}

function failTrailing(s: Scanner, expected: string): never {
  const ch = s.peek();
  if (ch === ')') s.fail('unbalanced parentheses: this ")" has no matching "("');
  if (ch === ']') s.fail('unbalanced brackets: this "]" has no matching "["');
  return s.fail(`expected "and", "or" or ${expected}, found ${s.describe()}`);
}

function parseOr(s: Scanner, ctx: Context): Filter {
  let left = parseAnd(s, ctx);
  for (;;) {
    const save = s.pos;
    s.skipSpace();
    if (s.peekWord() !== 'or') {
      s.pos = save;
      return left;
    }
    s.pos += 2;
    s.skipSpace();
    left = { kind: 'or', left, right: parseAnd(s, ctx) };
  }
}

function parseAnd(s: Scanner, ctx: Context): Filter {
  let left = parseUnary(s, ctx);
  for (;;) {
    const save = s.pos;
    s.skipSpace();
    if (s.peekWord() !== 'and') {
      s.pos = save;
      return left;
    }
    s.pos += 3;
    s.skipSpace();
    left = { kind: 'and', left, right: parseUnary(s, ctx) };
  }
}

function parseUnary(s: Scanner, ctx: Context): Filter {
  s.skipSpace();
  if (ctx.depth >= MAX_FILTER_DEPTH) {
    s.fail(`the filter nests parentheses, "not" and "[…]" more than ${MAX_FILTER_DEPTH} levels deep`);
  }
  const inner: Context = { depth: ctx.depth + 1, inValuePath: ctx.inValuePath };
  if (s.atEnd()) s.fail(`expected an attribute name, "(" or "not", found the end of the filter`);
  if (s.peek() === '(') return parseGroup(s, inner);
  if (s.peekWord() === 'not') {
    const start = s.pos;
    s.pos += 3;
    s.skipSpace();
    if (s.peek() === '(') return { kind: 'not', filter: parseGroup(s, inner) };
    const next = s.peekWord();
    if (next === 'pr' || (COMPARE_OPS as readonly string[]).includes(next ?? '')) {
      s.pos = start; // an attribute that happens to be called "not"
    } else {
      s.fail(`expected "(" after "not" (write not (expression)), found ${s.describe()}`);
    }
  }
  return parseAttrExp(s, ctx);
}

/** "(" FILTER ")" at the cursor. */
function parseGroup(s: Scanner, ctx: Context): Filter {
  const open = s.pos;
  s.pos++;
  const filter = parseOr(s, ctx);
  s.skipSpace();
  if (s.peek() !== ')') {
    if (s.atEnd()) s.fail(`unbalanced parentheses: the "(" at position ${open + 1} is never closed; add ")"`);
    failTrailing(s, `")" to close the "(" at position ${open + 1}`);
  }
  s.pos++;
  return filter;
}

function parseAttrExp(s: Scanner, ctx: Context): Filter {
  const start = s.pos;
  const path = s.readAttrPath();
  const label = s.text.slice(start, s.pos);
  if (s.peek() !== '[') return parseOperator(s, path, label);
  if (ctx.inValuePath) s.fail(`value filters cannot be nested: "${label}[" appears inside another "[…]"`);
  checkValuePathTarget(s, path, label);
  const filter = parseBracketFilter(s, ctx.depth);
  if (s.peek() !== '.') return { kind: 'valuePath', path, filter };
  // Entra's non-RFC form: emails[type eq "work"].value eq "x" ≡ emails[type eq "work" and value eq "x"]
  s.pos++;
  const subStart = s.pos;
  const sub = s.readName();
  const condition = parseOperator(s, { attr: sub }, s.text.slice(start, subStart - 1) + `.${sub}`);
  return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right: condition } };
}

/** A value path's attribute must be a plain attribute name, not "attr.sub" nor a whole schema. */
export function checkValuePathTarget(s: Scanner, path: AttrPath, label: string): void {
  if (path.sub !== undefined) {
    s.fail(`a value filter "[…]" must follow an attribute name, not the sub-attribute "${label}"`);
  }
  if (path.attr === '') s.fail(`a value filter "[…]" must follow an attribute name, not the schema "${label}"`);
}

/** SP ("pr" / compareOp SP compValue) after an attribute path. */
function parseOperator(s: Scanner, path: AttrPath, label: string): Filter {
  const hadSpace = s.skipSpace();
  const opStart = s.pos;
  const word = s.peekWord();
  const isOperator = word === 'pr' || (COMPARE_OPS as readonly string[]).includes(word ?? '');
  if (!hadSpace || !isOperator || word === undefined) {
    s.fail(`expected a comparison operator (${OPERATOR_LIST}) after "${label}", found ${s.describe(opStart)}`, opStart);
  }
  s.pos += word.length;
  if (word === 'pr') {
    const save = s.pos;
    s.skipSpace();
    const next = s.peekWord();
    if (!s.atEnd() && s.peek() !== ')' && s.peek() !== ']' && next !== 'and' && next !== 'or') {
      s.fail(`"pr" takes no value; remove ${s.describe()} or use an operator such as eq`);
    }
    s.pos = save;
    return { kind: 'present', path };
  }
  const op = word as CompareOp;
  const spaced = s.skipSpace();
  if (!spaced || s.atEnd() || s.peek() === ')' || s.peek() === ']') {
    s.fail(
      `expected a value after "${label} ${op}" (a "quoted string", number, true, false or null), found ${s.describe()}`,
    );
  }
  return { kind: 'compare', path, op, value: s.readValue(`${label} ${op}`) };
}
