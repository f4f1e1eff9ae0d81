import { describe, expect, it } from 'vitest';
import { compileExpression, compileTemplate, type SourceLocation } from '../../src/connectors/expression.ts';
import { ConfigError, ExpressionError, GatewayError, type ConfigIssue } from '../../src/errors.ts';

const origin: SourceLocation = { file: '/c/connector.yaml', line: 1, col: 1, path: 'x' };

function configIssue(work: () => unknown): ConfigIssue {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(1);
    return issues[0]!;
  }
  throw new Error('expected a ConfigError');
}

describe('compileExpression', () => {
  it('evaluates with input and bindings', async () => {
    const expression = compileExpression('$merge([{ "a": a }, { "b": $x * 2 }])', origin);
    expect(await expression.evaluate({ a: 1 }, { x: 21 })).toEqual({ a: 1, b: 42 });
    expect(expression.source).toBe('$merge([{ "a": a }, { "b": $x * 2 }])');
    expect(expression.where).toBe('/c/connector.yaml:1:1');
  });

  it('resolves a plain $name.path directly, like JSONata would', async () => {
    const expression = compileExpression(' $config.tenant.name ', origin);
    expect(await expression.evaluate(undefined, { config: { tenant: { name: 'acme' } } })).toBe('acme');
    expect(await expression.evaluate(undefined, { config: {} })).toBeUndefined();
    expect(await expression.evaluate(undefined, {})).toBeUndefined();
  });

  it('reports a syntax error on one line at the offending token, with file and path', () => {
    const issue = configIssue(() => compileExpression('foo bar', origin));
    expect(issue).toMatchObject({ file: '/c/connector.yaml', line: 1, col: 5, path: 'x' });
    expect(issue.message).toMatch(/^JSONata S0201: Syntax error: "bar"/);
  });

  it('points at the opening quote of an offending quoted string or name', () => {
    expect(configIssue(() => compileExpression('"abc" "def"', origin))).toMatchObject({ col: 7 });
    expect(configIssue(() => compileExpression('a.`b c` `d e`', origin))).toMatchObject({ col: 9 });
  });

  it('reports the line and column inside a multi-line expression', () => {
    const source = '(\n  $x := 1;\n  $y := { "a": 1 ];\n  $x\n)';
    const issue = configIssue(() => compileExpression(source, origin));
    // The "]" on line 3, column 18.
    expect(issue).toMatchObject({ line: 3, col: 18 });
    expect(issue.message).toContain('Expected "}", got "]"');
  });

  it('offsets the first line by the origin column and later lines by nothing', () => {
    const at = { file: 'f.yaml', line: 10, col: 12 };
    expect(configIssue(() => compileExpression('a + + )', at))).toMatchObject({
      file: 'f.yaml',
      line: 10,
      col: 12 + 4,
    });
    expect(configIssue(() => compileExpression('(\n  a +\n  ]\n)', at))).toMatchObject({ line: 12, col: 3 });
  });

  it('adds the indentation of later lines when the origin says the text was indented', () => {
    // A YAML block scalar indented by 8 spaces: its lines lose the indentation in the value.
    const at = { file: 'f.yaml', line: 20, col: 9, indent: 8 };
    expect(configIssue(() => compileExpression('(\n  a +\n  ]\n)', at))).toMatchObject({ line: 22, col: 11 });
  });

  it('points just past the end for an incomplete expression', () => {
    expect(configIssue(() => compileExpression('a +', origin))).toMatchObject({ line: 1, col: 4 });
    expect(configIssue(() => compileExpression('foo(', { file: 'g.jsonata', line: 1, col: 1 }))).toMatchObject({
      file: 'g.jsonata',
      col: 5,
    });
  });

  it('leaves line and column out when the origin has none', () => {
    const issue = configIssue(() => compileExpression('a +', { file: 'x.yaml' }));
    expect(issue.line).toBeUndefined();
    expect(issue.col).toBeUndefined();
  });

  it('turns a runtime failure into a 502 whose message (for the log) names where it is, and whose detail (for Entra) does not', async () => {
    const expression = compileExpression('$number("abc")', {
      file: 'connectors/acme/mappings/user-to-app.jsonata',
      line: 3,
      col: 5,
      path: 'mappings.User.toApp',
    });
    const error = await expression.evaluate({}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error).toMatchObject({ code: 'SCIMGW_CONNECTOR_EXPRESSION', status: 502 });
    expect((error as Error).message).toContain(
      'connectors/acme/mappings/user-to-app.jsonata:3:5 (mappings.User.toApp)',
    );
    expect((error as Error).message).toContain('D3030');
    expect((error as ExpressionError).detail).toBe(
      'The acme connector failed while translating for the app; the gateway log names the expression',
    );
  });

  it('stops an expression that recurses without end, or runs too long, instead of holding the event loop', async () => {
    const origin = { file: 'connectors/acme/connector.yaml', line: 7, col: 9 };
    const recursing = compileExpression('( $f := function($x) { 1 + $f($x + 1) }; $f(0) )', origin);
    await expect(recursing.evaluate({})).rejects.toMatchObject({
      code: 'SCIMGW_CONNECTOR_EXPRESSION',
      status: 502,
      message: expect.stringContaining('nested deeper than'),
    });
    const looping = compileExpression(
      '( $loop := function($n) { $n > 0 ? $loop($n - 1) : 0 }; $sum([1..9000000].($loop(0))) )',
      origin,
    );
    const error = await looping.evaluate({}).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'SCIMGW_CONNECTOR_EXPRESSION',
      message: expect.stringMatching(/connectors\/acme\/connector.yaml:7:9: it ran longer than \d+ ms and was stopped/),
    });
  });

  it('passes a GatewayError thrown by a bound function through unchanged', async () => {
    const thrown = new GatewayError('SCIMGW_X', 409, 'from a binding');
    const expression = compileExpression('$f()', origin);
    await expect(expression.evaluate({}, { f: () => Promise.reject(thrown) })).rejects.toBe(thrown);
  });

  it('gives evaluateJson results as plain JSON the caller owns, compiled or interpreted', async () => {
    const input = { a: { b: [1, 2] }, c: [{ d: 'x' }, { d: 'y' }] };
    // The first compiles; $map keeps the second with the interpreter.
    for (const source of ['{ "a": a, "d": c.d }', '{ "a": a, "d": $map(c, function($v) { $v.d }) }']) {
      const result = (await compileExpression(source, origin).evaluateJson(input)) as Record<string, unknown>;
      expect(result).toEqual({ a: { b: [1, 2] }, d: ['x', 'y'] });
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(Object.keys(result.d as object)).toEqual(['0', '1']);
      expect(result.a).not.toBe(input.a);
    }
    expect(await compileExpression('$x', origin).evaluateJson({}, { x: -0 })).toBe(0);
  });

  it('hands an evaluation the compiled code does not cover to the interpreter', async () => {
    const expression = compileExpression('a = b', origin);
    // JSONata compares structures deeply: the interpreter's to answer.
    expect(await expression.evaluate({ a: { n: [1] }, b: { n: [1] } })).toBe(true);
    expect(await expression.evaluate({ a: 'x', b: 'x' })).toBe(true);
    await expect(compileExpression('$number(a)', origin).evaluate({ a: 'x' })).rejects.toMatchObject({
      message: expect.stringContaining('D3030'),
    });
  });
});

describe('compileTemplate', () => {
  it('renders a literal-only template as is', async () => {
    const template = compileTemplate('/users/all', origin);
    expect(template.constant).toBe(true);
    expect(await template.render({})).toBe('/users/all');
    expect(await template.render({}, encodeURIComponent)).toBe('/users/all');
  });

  it('renders several segments between literals', async () => {
    const template = compileTemplate('/t/{{ $config.tenant }}/users/{{ $id }}/roles/{{ $count + 1 }}?x', origin);
    expect(template.constant).toBe(false);
    expect(await template.render({ config: { tenant: 'acme' }, id: 42, count: 2 })).toBe('/t/acme/users/42/roles/3?x');
  });

  it('renders adjacent segments and a whole-template segment', async () => {
    expect(await compileTemplate('{{ $a }}{{ $b }}', origin).render({ a: 'x', b: true })).toBe('xtrue');
    expect(await compileTemplate('{{$config.baseUrl}}', origin).render({ config: { baseUrl: 'http://h' } })).toBe(
      'http://h',
    );
  });

  it('renders undefined and null as empty, objects as JSON', async () => {
    const template = compileTemplate('[{{ $missing }}|{{ $nothing }}|{{ $obj }}]', origin);
    expect(await template.render({ nothing: null, obj: { a: [1] } })).toBe('[||{"a":[1]}]');
  });

  it.each(['a/b', '..', '.', '%2F', 'a b', 'x?y#z&w=1', 'café ☕', 'ü/../ü'])(
    'percent-encodes %j with the encoder',
    async (value) => {
      const template = compileTemplate('/users/{{ $id }}/x', origin);
      expect(await template.render({ id: value }, encodeURIComponent)).toBe(`/users/${encodeURIComponent(value)}/x`);
      expect(await template.render({ id: value })).toBe(`/users/${value}/x`);
    },
  );

  it('encodes only inserted values, never the literal parts', async () => {
    const seen: string[] = [];
    const encode = (value: string) => {
      seen.push(value);
      return encodeURIComponent(value);
    };
    expect(await compileTemplate('/a b/{{ $id }}', origin).render({ id: 'c d' }, encode)).toBe('/a b/c%20d');
    expect(seen).toEqual(['c d']);
  });

  it('refuses an unclosed {{', () => {
    const issue = configIssue(() =>
      compileTemplate('/users/{{ $id', { file: 'c.yaml', line: 4, col: 10, path: 'url' }),
    );
    expect(issue).toMatchObject({ file: 'c.yaml', line: 4, path: 'url' });
    expect(issue.message).toMatch(/Unclosed "\{\{"/);
  });

  it('refuses an unclosed {{ after a closed one, pointing at it', () => {
    const issue = configIssue(() => compileTemplate('/t/{{ $a }}/u/{{ $b', { file: 'c.yaml', line: 4, col: 10 }));
    expect(issue).toMatchObject({ line: 4, col: 10 + 14 });
    expect(issue.message).toMatch(/Unclosed "\{\{"/);
  });

  it('reports a JSONata error inside a segment at its position in the file', () => {
    const issue = configIssue(() => compileTemplate('/users/{{ $id + }}', { file: 'c.yaml', line: 7, col: 12 }));
    // "{{" is at column 12 + 7; the expression " $id + " starts 2 later and ends after "+".
    expect(issue).toMatchObject({ file: 'c.yaml', line: 7, col: 12 + 9 + 6 });
    expect(issue.message).toContain('S0207');
  });
});
