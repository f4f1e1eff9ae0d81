/**
 * The floor for npm run bench: the least a SCIM-to-REST gateway can do per request. Koa and @koa/router
 * take the SCIM request, a JSON body is read, a few fields are mapped by hand, and undici passes the call to
 * the demo app; no store, no schema, no validation, no pacing. What the gateway spends above this is its
 * own cost. Started by bench/run.ts: FLOOR_PORT, FLOOR_TARGET (the demo app), FLOOR_API_KEY.
 */
import Router from '@koa/router';
import Koa, { type Context } from 'koa';
import { Pool } from 'undici';

const target = process.env.FLOOR_TARGET ?? 'http://127.0.0.1:8081';
const apiKey = process.env.FLOOR_API_KEY ?? '';
const pool = new Pool(target, { connections: 64 });
const headers = { 'x-api-key': apiKey, 'content-type': 'application/json' };

interface AppUser {
  id: number;
  user_name: string;
  email: string | null;
  display_name: string | null;
  status: string;
}

async function readJson(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

async function app(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) {
  const response = await pool.request({
    method,
    path,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.statusCode, json: (await response.body.json()) as Record<string, unknown> };
}

function toScim(user: AppUser): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    id: String(user.id),
    userName: user.user_name,
    displayName: user.display_name,
    active: user.status === 'active',
    emails: user.email ? [{ type: 'work', primary: true, value: user.email }] : [],
  };
}

const router = new Router({ prefix: '/scim/v2' });

router.post('/Users', async (ctx) => {
  const scim = await readJson(ctx);
  const emails = scim.emails as { value: string }[] | undefined;
  const created = await app('POST', '/api/users', {
    user_name: scim.userName,
    email: emails?.[0]?.value ?? null,
    display_name: scim.displayName ?? null,
    external_ref: scim.externalId ?? null,
    status: scim.active === false ? 'inactive' : 'active',
  });
  ctx.status = created.status === 201 ? 201 : 502;
  ctx.body = created.status === 201 ? toScim(created.json as unknown as AppUser) : created.json;
});

router.get('/Users', async (ctx) => {
  const match = /^userName eq "([^"]*)"$/.exec(String(ctx.query.filter ?? ''));
  const query = match ? `?user_name=${encodeURIComponent(match[1]!)}` : '';
  const found = await app('GET', `/api/users${query}`);
  const users = (found.json.users ?? []) as AppUser[];
  ctx.body = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: users.length,
    Resources: users.map(toScim),
  };
});

router.get('/Users/:id', async (ctx) => {
  const found = await app('GET', `/api/users/${encodeURIComponent(ctx.params.id!)}`);
  ctx.status = found.status === 200 ? 200 : 404;
  ctx.body = found.status === 200 ? toScim(found.json as unknown as AppUser) : found.json;
});

router.patch('/Users/:id', async (ctx) => {
  const patch = await readJson(ctx);
  const changes: Record<string, unknown> = {};
  for (const operation of (patch.Operations ?? []) as { path?: string; value?: unknown }[])
    if (operation.path === 'displayName') changes.display_name = operation.value;
  const updated = await app('PATCH', `/api/users/${encodeURIComponent(ctx.params.id!)}`, changes);
  ctx.status = updated.status === 200 ? 200 : 502;
  ctx.body = updated.status === 200 ? toScim(updated.json as unknown as AppUser) : updated.json;
});

const server = new Koa().use(router.routes()).listen(Number(process.env.FLOOR_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`floor: http://127.0.0.1:${address.port}/scim/v2\n`);
});
