/**
 * The corners of JSONata's semantics the compiled code must get right, each checked against the
 * interpreter on inputs chosen to hit them (sequences of one, predicates on single values, missing
 * paths, `?:`, `&` with nothing, truthiness, arrays as input…), and the shapes and values it must leave
 * to the interpreter.
 */
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { BAILOUT, compileAst, whyNotCompiled } from '../../src/connectors/compile/index.ts';
import { compileExpression } from '../../src/connectors/expression.ts';
import { check, emptyTally, type Tally } from './compile-check.ts';

const USER = {
  userName: 'Jane@Acme.test',
  name: { givenName: 'Jane', familyName: 'Doe' },
  emails: [
    { type: 'home', value: 'jane@home.test' },
    { type: 'work', value: 'jane@acme.test', primary: true },
  ],
  roles: [{ value: 'Admin', primary: true }, { value: 'member' }],
};

/** Values every expression below meets: scalars, nothing, arrays of one and of several, nested arrays. */
const INPUTS: unknown[] = [
  undefined,
  null,
  0,
  'text',
  true,
  {},
  [],
  [1],
  [1, 'two', null],
  [[1, 2], [3]],
  [{ a: 1 }, { a: [2, 3] }, { b: 4 }],
  { a: 1 },
  { a: -0, b: 0 },
  { a: 'x', b: 'y', c: true },
  { a: '', b: 0, c: false },
  { a: 1.5, b: 'é😀 ünï', c: 2 },
  { a: 0.1, b: 0.2, c: 1e21 },
  { a: null, b: null },
  { a: [] },
  { a: [1] },
  { a: [1, 2], b: [2] },
  { a: ['x'], b: 'x' },
  { a: [0, false, ''] },
  { a: { b: 1, c: 'z' } },
  { a: { b: [1, 2] } },
  { a: [{ b: 1 }] },
  { a: [{ b: 1 }, { b: 2 }] },
  { a: [{ b: [1, 2] }, { b: 3 }, { c: 4 }] },
  { a: [[{ b: 1 }], { b: 2 }] },
  {
    a: [
      { b: 'w', c: 1 },
      { b: 'v', c: 2 },
      { b: 'w', c: 3 },
    ],
  },
  { a: [{ b: [] }, { b: [[]] }] },
  { a: { '1': 'one', b: 2, '0': 'zero' } },
  USER,
];

async function agree(
  source: string,
  inputs: unknown[] = INPUTS,
  bindings: Record<string, unknown> = {},
): Promise<Tally> {
  const interpreter = jsonata(source);
  const compiled = compileAst(interpreter.ast());
  expect(compiled, `${source} compiles (${whyNotCompiled(interpreter.ast())})`).toBeDefined();
  const tally = emptyTally();
  for (const input of inputs) await check(source, compiled!, interpreter, input, bindings, tally);
  expect(tally.failures).toEqual([]);
  return tally;
}

function compiledValue(source: string, input: unknown, bindings: Record<string, unknown> = {}): unknown {
  return compileAst(jsonata(source).ast())!.value(input, bindings);
}

function bails(source: string, input: unknown, bindings: Record<string, unknown> = {}): boolean {
  try {
    compileAst(jsonata(source).ast())!.value(input, bindings);
    return false;
  } catch (error) {
    if (error === BAILOUT) return true;
    throw error;
  }
}

describe('compiled JSONata semantics', () => {
  it('unwraps sequences of one and keeps arrays read from the input as they are', async () => {
    expect(compiledValue('a.b', { a: [{ b: 1 }] })).toBe(1);
    expect(compiledValue('a.b', { a: [{ b: 1 }, { b: 2 }] })).toEqual([1, 2]);
    expect(compiledValue('a', { a: [1] })).toEqual([1]);
    expect(compiledValue('a.b', { a: { b: [1] } })).toEqual([1]);
    expect(compiledValue('a.b', { a: [{ b: [1] }] })).toEqual([1]);
    for (const source of ['a', 'a.b', 'a.b.c', 'a.b[0]', '(a.b)[0]', 'a[0].b', '$.a', '$$.a', 'a.$', 'a.b.$string($)'])
      await agree(source);
  });

  it('applies a predicate to a single value as to an array of one', async () => {
    expect(compiledValue('a[0]', { a: 'x' })).toBe('x');
    expect(compiledValue('a[1]', { a: 'x' })).toBeUndefined();
    expect(compiledValue('a[b = 1]', { a: { b: 1 } })).toEqual({ b: 1 });
    for (const source of [
      'a[0]',
      'a[-1]',
      'a[1]',
      'a[b = 1]',
      'a[$ = 1]',
      'a[true]',
      'a[c][0].b',
      'a[[0, 0]]',
      'a[[-1]]',
    ])
      await agree(source);
    // A predicate keeps a missing value as a value: JSONata counts it.
    for (const source of ['$count(a.x[true])', '$count(a.b[true])', '[a.x[true]]']) await agree(source);
  });

  it('gives nothing for missing paths, and leaves undefined out of objects and arrays', async () => {
    expect(compiledValue('{ "x": a.b.c, "y": missing, "z": 1 }', {})).toEqual({ z: 1 });
    for (const source of ['{ "x": a.b.c, "y": missing, "z": a }', '[a.b, missing, 1, [missing], [a]]', 'missing.a'])
      await agree(source);
  });

  it('evaluates ?: and ?? once, by truthiness and by existence', async () => {
    for (const source of ['a ?: "d"', 'a ?? "d"', 'a.b ?: a ?: "d"', 'a ? b : c', 'a ? b', 'a[0] ?: b[0]'])
      await agree(source);
    expect(compiledValue('a ?: "d"', { a: 0 })).toBe('d');
    expect(compiledValue('a ?? "d"', { a: 0 })).toBe(0);
  });

  it('concatenates with & like $string, a missing side as ""', async () => {
    for (const source of [
      'a & b',
      'a & "-" & b & c',
      'missing & a',
      '1/3 & ""',
      'a + b & ""',
      '$string(a)',
      '$string(c)',
    ])
      await agree(source);
    // Numbers are written as JSON writes them after rounding to 15 significant digits.
    const numbers = [1e21, 1e-7, 123456789.12345679, 2 ** 53 + 2, -1.5e-300, 5e-324, 0.1 * 3, 100 / 3, -0];
    for (let i = 1; i < 40; i++) numbers.push(Math.sin(i) * 10 ** ((i % 30) - 12));
    await agree('$string(a) & "|" & (a & "")', [...numbers.map((a) => ({ a })), { a: numbers }]);
    expect(compiledValue('a & b', { a: 'x' })).toBe('x');
    expect(compiledValue('a & b', { a: 1 / 3, b: true })).toBe('0.333333333333333true');
  });

  it('follows JSONata truthiness in conditions, and, or, $boolean and $not', async () => {
    for (const source of ['a ? 1 : 2', 'a and b', 'a or b', '$boolean(a)', '$not(a)', 'a[0] and $not(c)'])
      await agree(source);
  });

  it('compares with =, !=, <, in as JSONata does, and leaves structures and type errors to it', async () => {
    for (const source of ['a = b', 'a != b', 'a = "x"', 'a < b', 'b >= 0', 'a in b', '"x" in a', 'a = a'])
      await agree(source);
    expect(bails('a = b', { a: {}, b: {} })).toBe(true);
    expect(bails('a < b', { a: 1, b: 'x' })).toBe(true);
  });

  it('builds objects and arrays, flattening arrays one level', async () => {
    for (const source of [
      '{ "a": a, "b": [b], "c": [[a], a], "d": { "e": a.b } }',
      '[a, b, c]',
      '[a.b, [a.b]]',
      'a.{ "v": $ }',
      '[a.{ "v": b }]',
      '{ "1": a, "0": b, "z": c }',
      '{ a: b }',
      '{ $string(a): b }',
    ])
      await agree(source);
  });

  it('groups a path by a key (group-by)', async () => {
    for (const source of ['a{ b: c }', 'a{ $string(b): c }', 'a{ "k": b }', 'a.b{ $string($): $ }'])
      await agree(source);
    expect(
      compiledValue('a{ b: c }', {
        a: [
          { b: 'w', c: 1 },
          { b: 'v', c: 2 },
          { b: 'w', c: 3 },
        ],
      }),
    ).toEqual({
      w: [1, 3],
      v: 2,
    });
  });

  it('calls the functions the connectors use, with JSONata’s argument checks', async () => {
    for (const source of [
      '$lowercase(a)',
      '$uppercase(b)',
      '$trim(b)',
      '$length(b)',
      '$substring(b, 1, 2)',
      '$substring(b, -2)',
      '$substringBefore(a, "x")',
      '$substringAfter(b, "ü")',
      '$contains(a, "x")',
      '$split(b, " ")',
      '$join(a, ",")',
      '$join([a, b][$ != ""], " ")',
      '$number(a)',
      '$number(b)',
      '$exists(a)',
      '$count(a)',
      '$type(a)',
      '$floor(a)',
      '$lookup($, "a")',
      '$lookup(a, "b")',
      '$keys(a)',
      '$keys($)',
      '$merge([a, { "z": 1 }])',
      '$append(a, b)',
      'a ~> $string()',
    ])
      await agree(source);
  });

  it('matches regular expressions as JSONata walks them', async () => {
    const inputs = [{ a: 'Sales Team (EMEA)' }, { a: 'xxx' }, { a: '' }, { a: 'ÀÉ--..a' }, {}, { a: 3 }];
    for (const source of [
      '$contains(a, /t+/i)',
      '$replace(a, /[^a-z0-9]+/, "-")',
      '$replace(a, /x*/, "-")',
      '$replace(a, /^-+|-+$/, "")',
      '$replace(a, /(e)/, "$1$1")',
      '$replace(a, "a", "$1")',
    ])
      await agree(source, inputs);
  });

  it('runs blocks, := bindings and functions defined in the block', async () => {
    for (const source of [
      '($x := a; $y := $x.b; [$x, $y])',
      '($a := 1; ($a := 2; $a); $a)',
      '($a := a; $a := $a & "!"; $a)',
      '( $f := function($s) { $uppercase($s) }; [$f(b), a ~> $f()] )',
      '( $f := function() { b }; a.$f() )',
      '( $f := function($x, $y) { $x & $y }; $f(b) & $f(b, c, a) )',
      '( $f := function($s) { $s ? $lowercase($s) : "none" }; $f(b) )',
    ])
      await agree(source);
  });

  it('maps over an input that is an array, as JSONata does', async () => {
    const inputs = [[], [{ a: 1 }], [{ a: 1 }, { a: 2 }], [[{ a: 1 }]], [1, 2]];
    for (const source of ['$', '$[0]', '$[a = 2]', 'a', '{ "n": a }', '$count($)', '$$[1]', '$type($)'])
      await agree(source, inputs);
  });

  it('reads the caller’s bindings, and leaves functions and JSONata’s own flags to the interpreter', async () => {
    await agree('$x.a & $y', [undefined], { x: { a: 'b' }, y: 2 });
    expect(bails('$x', {}, { x: () => 1 })).toBe(true);
    expect(bails('$string($)', {}, { string: 'shadowed' })).toBe(true);
    expect(bails('$lookup', {})).toBe(true);
    expect(bails('$x', {}, { x: Object.assign([1, 2], { sequence: true }) })).toBe(true);
    expect(bails('$x', {}, { x: Number.POSITIVE_INFINITY })).toBe(true);
    expect(bails('a', { a: { _jsonata_lambda: true } })).toBe(true);
    const shadowing = compileExpression('$string(a)', { file: 'x.yaml' });
    expect(await shadowing.evaluate({ a: 1 }, { string: (value: unknown) => `mine ${String(value)}` })).toBe('mine 1');
  });

  it('hands the errors JSONata raises to the interpreter, which raises them', async () => {
    for (const [source, input] of [
      ['$number(a)', { a: 'abc' }],
      ['$substring(a, "x")', { a: 'abc' }],
      ['$join(a)', { a: [1] }],
      ['{ "a": 1, b: 2 }', { b: 'a' }],
      ['-a', { a: 'x' }],
    ] as const)
      expect((await agree(source, [input])).errors).toBe(1);
  });

  it('gives JSON results its caller owns, equal to a JSON copy of JSONata’s', async () => {
    const compiled = compileAst(jsonata('{ "u": $, "e": emails[type = "work"], "n": name }').ast())!;
    const result = compiled.json(USER, {}) as Record<string, unknown>;
    expect(result).toEqual({ u: USER, e: USER.emails[1], n: USER.name });
    expect(result.u).not.toBe(USER);
    expect(result.e).not.toBe(USER.emails[1]);
    expect(compileAst(jsonata('a').ast())!.json({ a: -0 }, {})).toBe(0);
    // JSON would drop an undefined field that JSONata still sees: the interpreter copies it.
    expect(() => compiled.json({ ...USER, x: undefined }, {})).toThrow(BAILOUT);
  });

  it('leaves shapes outside the subset to the interpreter', () => {
    for (const source of [
      'a[]',
      'a.[b, c]',
      'a^(b)',
      'a.*',
      '**.a',
      'a.%.b',
      'a@$x.b',
      'a#$i.b',
      '$x := 1',
      'a ? $x := 1 : 2',
      '[$x := 1]',
      'function($x) { $x }',
      '($f := function($n) { $n > 0 ? $f($n - 1) : 0 }; $f(3))',
      '$map(a, function($v) { $v })',
      '$now()',
      '$string(a, true)',
      '$replace(a, "x", "y", 1)',
      '[1..3]',
      '$toApp(a)',
      '$sum(a)',
      'a ~> | b | { "c": 1 } |',
      // Nested past what JSONata's stack guardrail (D1011) lets the interpreter evaluate.
      `${'['.repeat(200)}a${']'.repeat(200)}`,
    ])
      expect(compileAst(jsonata(source).ast()), source.slice(0, 40)).toBeUndefined();
  });
});
