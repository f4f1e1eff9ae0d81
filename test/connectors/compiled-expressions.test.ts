/**
 * Compiled JSONata (src/connectors/compile) against JSONata's interpreter, over every expression of every
 * bundled connector: mappings, custom fields, operation bodies, conditions, extracts and {{ }} templates.
 * Each runs on every value found in the connector's fixtures (SCIM bodies, app answers and everything
 * inside them) and on seeded random SCIM users, groups and app objects. Wherever the compiled code gives
 * a value it must be the interpreter's (deep-equal, key order included, after turning sequences into
 * arrays as plain() did), its JSON form must equal a JSON copy of the interpreter's result and share no
 * object with the input, and where the interpreter fails the compiled code must hand over so that the
 * same error surfaces.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../../src/connectors/compiled.ts';
import { compileAst, whyNotCompiled } from '../../src/connectors/compile/index.ts';
import { loadConnector } from '../../src/connectors/loader.ts';
import { loadFixtureApp, loadFixtures } from '../../src/connectors/testing/fixture.ts';
import { check, emptyTally } from './compile-check.ts';
import { InputGenerator, type Json } from './generated-inputs.ts';

const ROOT = join(import.meta.dirname, '..', '..', 'connectors');
const CONNECTORS = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'connector.yaml')));
const SEGMENT = /\{\{([\s\S]*?)\}\}/g;
const GENERATED_INPUTS = 120;
const FIXTURE_INPUTS = 250;

interface Collected {
  where: string;
  source: string;
}

/** Every expression of a loaded connector, {{ }} template segments included, once per distinct source. */
function collectExpressions(connector: CompiledConnector): Collected[] {
  const found = new Map<string, Collected>();
  const seen = new Set<unknown>();
  const walk = (value: unknown, where: string): void => {
    if (!value || typeof value !== 'object' || seen.has(value) || value instanceof Set || value instanceof RegExp)
      return;
    seen.add(value);
    const node = value as Record<string, unknown>;
    if (typeof node.source === 'string' && typeof node.evaluate === 'function') {
      if (!found.has(node.source.trim())) found.set(node.source.trim(), { where, source: node.source });
      return;
    }
    if (typeof node.source === 'string' && typeof node.render === 'function') {
      for (const match of node.source.matchAll(SEGMENT))
        if (!found.has(match[1]!.trim())) found.set(match[1]!.trim(), { where: `${where}{{}}`, source: match[1]! });
      return;
    }
    for (const [key, item] of Object.entries(node)) if (key !== 'manifest') walk(item, `${where}.${key}`);
  };
  walk(connector, connector.id);
  return [...found.values()];
}

interface AstFacts {
  /** Field-name chains read from the context (`name.givenName`). */
  paths: string[][];
  /** Field-name chains read from each variable (`$steps.read.agentIds`: steps → read.agentIds). */
  variables: Map<string, string[][]>;
}

function astFacts(ast: unknown): AstFacts {
  const facts: AstFacts = { paths: [], variables: new Map() };
  const chain = (steps: { type: string; value: unknown }[], from: number): string[] => {
    const names: string[] = [];
    for (let i = from; i < steps.length && steps[i]!.type === 'name'; i++) names.push(String(steps[i]!.value));
    return names;
  };
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const record = node as Record<string, unknown>;
    if (record.type === 'path' && Array.isArray(record.steps)) {
      const steps = record.steps as { type: string; value: unknown }[];
      const first = steps[0]!;
      if (first.type === 'variable' && typeof first.value === 'string' && first.value !== '') {
        const list = facts.variables.get(first.value) ?? [];
        list.push(chain(steps, 1));
        facts.variables.set(first.value, list);
      } else if (first.type === 'name') facts.paths.push(chain(steps, 0));
    }
    if (record.type === 'variable' && typeof record.value === 'string' && record.value !== '' && record.value !== '$')
      if (!facts.variables.has(record.value)) facts.variables.set(record.value, []);
    for (const [key, item] of Object.entries(record)) if (key !== 'procedure') visit(item);
  };
  visit(ast);
  return facts;
}

/** Every object and array found in a connector's fixtures: SCIM bodies, app requests and answers, their parts. */
function fixtureInputs(dir: string): unknown[] {
  const found = new Map<string, unknown>();
  const add = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    found.set(JSON.stringify(value), value);
    for (const item of Object.values(value)) add(item);
  };
  for (const { fixture } of loadFixtures(dir)) {
    add(fixture.request.body);
    add(fixture.expect.body);
    for (const exchange of fixture.exchanges) {
      add(exchange.request.body);
      add(exchange.response.body);
    }
    for (const mapped of [fixture.given?.users, fixture.given?.groups]) add(mapped);
  }
  const all = [...found.values()];
  // A fixed sample keeps the run short; which ones does not depend on the run.
  const step = Math.max(1, Math.ceil(all.length / FIXTURE_INPUTS));
  return all.filter((_value, index) => index % step === 0);
}

function generatedInputs(seed: number, paths: string[][]): unknown[] {
  const generator = new InputGenerator(seed, paths);
  const inputs: unknown[] = [undefined, null, {}, [], 'text', 42];
  for (let i = 0; i < GENERATED_INPUTS; i++) {
    const roll = i % 6;
    if (roll < 2) inputs.push(generator.scimUser());
    else if (roll === 2) inputs.push(generator.scimGroup());
    else if (roll < 5) inputs.push(generator.appObject());
    else inputs.push(generator.array(() => generator.appObject(), 4));
  }
  return inputs;
}

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

describe.each(CONNECTORS)('compiled expressions of %s', (name) => {
  const dir = join(ROOT, name);
  const connector = loadConnector(dir);
  const config = loadFixtureApp(dir).settings as Record<string, Json>;
  const expressions = collectExpressions(connector);
  const fixtures = fixtureInputs(dir);

  it('give the interpreter’s results on fixture and generated inputs', async () => {
    const onFixtures = emptyTally();
    const onGenerated = emptyTally();
    for (const { source } of expressions) {
      const interpreter = jsonata(source);
      const compiled = compileAst(interpreter.ast());
      if (!compiled) continue;
      const facts = astFacts(interpreter.ast());
      const seed = seedOf(`${name}:${source}`);
      const generator = new InputGenerator(seed, [...facts.paths, ...[...facts.variables.values()].flat()]);
      const inputs = [...fixtures.map((input) => [input, onFixtures] as const)];
      for (const input of generatedInputs(seed, facts.paths)) inputs.push([input, onGenerated]);
      for (const [input, tally] of inputs) {
        const bindings: Record<string, unknown> = {};
        for (const [variable, paths] of facts.variables)
          if (generator.chance(0.9)) bindings[variable] = generator.binding(variable, config, paths);
        await check(source, compiled, interpreter, input, bindings, tally);
      }
    }
    for (const [label, tally] of [
      ['fixture', onFixtures],
      ['generated', onGenerated],
    ] as const) {
      console.info(
        `${name}, ${label} inputs: ${tally.cases} evaluations, ${tally.compiled} answered by compiled code, ` +
          `${tally.errors} JSONata errors, ${tally.cases - tally.compiled - tally.errors} handed to the interpreter`,
      );
      expect(tally.failures.slice(0, 5), `${tally.failures.length} failures`).toEqual([]);
    }
    // Real data stays on the compiled path; generated data is built to find its edges.
    expect(onFixtures.compiled).toBeGreaterThanOrEqual(0.9 * (onFixtures.cases - onFixtures.errors));
    expect(onGenerated.compiled).toBeGreaterThan(onGenerated.cases / 2);
  });
});

describe('coverage of the bundled connectors', () => {
  const all = CONNECTORS.flatMap((name) =>
    collectExpressions(loadConnector(join(ROOT, name))).map((entry) => ({ ...entry, connector: name })),
  );

  it('compiles every toApp and toScim mapping file (connectors/*/mappings/*.jsonata)', () => {
    const files = CONNECTORS.flatMap((name) => {
      const mappings = loadConnector(join(ROOT, name)).manifest.mappings;
      return Object.values(mappings).flatMap((mapping) =>
        [mapping?.toApp, mapping?.toScim].flatMap((entry) =>
          entry && typeof entry === 'object' ? [join(ROOT, name, entry.file)] : [],
        ),
      );
    });
    expect(files.length).toBeGreaterThan(10);
    const refused = files
      .map((file) => [file, whyNotCompiled(jsonata(readFileSync(file, 'utf8')).ast())] as const)
      .filter(([, why]) => why !== undefined);
    expect(refused).toEqual([]);
  });

  it('compiles nearly every bundled expression, and says which shapes stay with the interpreter', () => {
    const refused = all.flatMap(({ connector, where, source }) => {
      const why = whyNotCompiled(jsonata(source).ast());
      return why ? [`${connector} ${where}: ${why}`] : [];
    });
    console.info(
      `compiled JSONata: ${all.length - refused.length} of ${all.length} bundled expressions compile; the interpreter keeps:\n  ${refused.join('\n  ')}`,
    );
    expect(all.length - refused.length).toBeGreaterThanOrEqual(Math.floor(all.length * 0.95));
  });
});
