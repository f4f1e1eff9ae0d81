/**
 * npm run bench:mappings: the CPU one mapping costs, the demo connector's User toApp (on a ~1 KB Entra
 * user) and toScim (on a ~1 KB demo app user), through JSONata's interpreter followed by the JSON copy
 * the mapper used to make (plain()), and through the compiled path the mapper now takes
 * (CompiledExpression.evaluateJson). Rounds alternate between the two so that warm-up, GC and frequency
 * changes fall on both; each round's figure is process CPU time (user + system) per evaluation, and the
 * median round is printed.
 *
 * Environment: MAPPINGS_ROUNDS (default 10), MAPPINGS_EVALUATIONS per round (default 4000).
 */
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import jsonata from 'jsonata';
import type { CompiledExpression } from '../src/connectors/expression.ts';
import { loadConnector } from '../src/connectors/loader.ts';
import { entraUser } from './entra-user.ts';
import { median } from './load.ts';

const ROUNDS = Number(process.env.MAPPINGS_ROUNDS ?? 10);
const EVALUATIONS = Number(process.env.MAPPINGS_EVALUATIONS ?? 4000);
/** The interpreter's options in src/connectors/expression.ts. */
const GUARDRAILS = { timeout: 1000, stack: 400 };
const scimUser = entraUser();

const appUser = {
  id: 1042,
  user_name: 'adele.vance@contoso.example',
  email: 'adele.vance@contoso.example',
  first_name: 'Adele',
  last_name: 'Vance',
  full_name: 'Adele Vance',
  display_name: 'Adele Vance',
  job_title: 'Retail Manager',
  preferred_language: 'en-US',
  phone_work: '+1 425 555 0109',
  phone_mobile: '+1 425 555 0110',
  fax: '+1 425 555 0111',
  office: {
    street: '18/2111',
    city: 'Redmond',
    region: 'WA',
    zip: '98052',
    country: 'US',
    label: '18/2111, Redmond, WA 98052, United States',
  },
  external_ref: '5b0a7e4c-2f1d-4c1e-9d7a-3f6c2b8e1a90',
  employee_no: '10042',
  department: 'Retail',
  manager_id: 907,
  roles: ['editor', 'viewer'],
  status: 'active',
  custom_fields: {
    costCenter: 'CC-4410',
    building: '18',
    badge: 'B-77120',
    hireDate: '2019-04-01',
    shift: 'early',
    parkingSpot: 'P2-114',
  },
  locale: 'en_US',
  time_zone: 'America/Los_Angeles',
  avatar_url: 'https://demo.example/avatars/1042.png',
  last_login_at: '2026-03-18T08:01:13.004Z',
  created_at: '2026-01-05T09:12:44.120Z',
  updated_at: '2026-03-18T16:40:02.733Z',
};

/** What the mapper did before: the interpreter's result copied through JSON. */
function plain(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (JSON.parse(JSON.stringify(value)) as Record<string, unknown>)
    : {};
}

type Path = () => Promise<unknown>;

async function cpuPerEvaluation(path: Path): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < EVALUATIONS; i++) await path();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / EVALUATIONS;
}

async function measure(label: string, expression: CompiledExpression, input: unknown): Promise<void> {
  const bindings = { config: { baseUrl: 'http://127.0.0.1:8090' } };
  const interpreter = jsonata(expression.source, GUARDRAILS);
  const interpreted: Path = async () => plain(await interpreter.evaluate(input, bindings));
  const compiled: Path = () => expression.evaluateJson(input, bindings);
  if (!isDeepStrictEqual(await compiled(), await interpreted()))
    throw new Error(`${label}: the compiled path and the interpreter disagree`);
  const times = { interpreted: [] as number[], compiled: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so that neither always runs on the other's garbage.
    const order = round % 2 === 0 ? (['interpreted', 'compiled'] as const) : (['compiled', 'interpreted'] as const);
    for (const which of order) times[which].push(await cpuPerEvaluation(which === 'compiled' ? compiled : interpreted));
  }
  const before = median(times.interpreted);
  const after = median(times.compiled);
  console.log(
    `${label.padEnd(13)} interpreter + plain() ${before.toFixed(1).padStart(7)} µs   compiled ${after
      .toFixed(1)
      .padStart(6)} µs   ${(before / after).toFixed(1)}× less CPU`,
  );
}

const connector = loadConnector(join(import.meta.dirname, '..', 'connectors', 'demo'));
const user = connector.mappings.User;
if (!user) throw new Error('the demo connector has no User mapping');
console.log(
  `demo connector, User mappings: Entra user ${JSON.stringify(scimUser).length} bytes, app user ${
    JSON.stringify(appUser).length
  } bytes; ${ROUNDS} rounds of ${EVALUATIONS} evaluations, median round, CPU per evaluation`,
);
await measure('User.toApp', user.toApp, scimUser);
await measure('User.toScim', user.toScim, appUser);
