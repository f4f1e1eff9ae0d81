/**
 * npm run bench:store: what the id map costs per provisioning operation, called the way the core calls it
 * (src/core/create.ts, write.ts, provisioning.get), on the embedded store (a file in a temp folder) and on
 * Redis, one at a time and, for creates, 16 at once as concurrent requests make them (the embedded store
 * then commits them together: write-batch.ts). On the embedded store the statements run synchronously, so
 * CPU per operation is about how long each holds the event loop (it includes the checkpoint thread's);
 * its wall time includes waiting for the turn's commit. Rounds alternate between the stores; medians are
 * printed. Then it times the move of a store in the first layout (a `mappings` table)
 * into the current one, as a start-up after an upgrade does it.
 *
 * Environment: STORE_OPS (operations per round, default 3000), STORE_ROUNDS (default 5), STORE_SIDES
 * (default "embedded,redis"), STORE_MOVE_USERS (default 100000; 0 skips the move).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IdMap } from '../src/core/id-map.ts';
import { createRedisClient, whenReady } from '../src/store/redis/connection.ts';
import { RedisIdMap } from '../src/store/redis/redis-id-map.ts';
import { SqliteIdMap } from '../src/store/embedded/sqlite-id-map.ts';
import { FIRST_LAYOUT } from '../test/helpers/first-layout.ts';
import { startRedis } from '../test/helpers/redis-server.ts';
import { entraUser } from './entra-user.ts';
import { median } from './load.ts';

const OPS = Number(process.env.STORE_OPS ?? 3000);
const ROUNDS = Number(process.env.STORE_ROUNDS ?? 5);
const MOVE_USERS = Number(process.env.STORE_MOVE_USERS ?? 100_000);
const SIDES = (process.env.STORE_SIDES ?? 'embedded,redis').split(',');

/** The shadow a create stores: a full Entra user as normalizeResource leaves it (without schemas). */
function shadowOf(userName: string): Record<string, unknown> {
  const { schemas: _schemas, ...shadow } = entraUser(userName);
  return shadow;
}

interface Side {
  name: string;
  map: IdMap;
  created: string[];
  close(): Promise<void>;
  size?(): number;
}

type Operation = (side: Side, tag: string, i: number) => Promise<void>;

// reserve (under the key's lock) → app call → 201 → confirm (app id, hash, commit).
const create: Operation = async (side, tag, i) => {
  const userName = `${tag}-${i}@bench.example`;
  const scimId = `${tag}-${i}-scim`;
  const now = new Date().toISOString();
  const reserved = await side.map.reserve({
    app: 'demo',
    kind: 'User',
    scimId,
    key: userName,
    externalId: `ext-${userName}`,
    shadow: shadowOf(userName),
    appHash: null,
    created: now,
    lastModified: now,
    committed: false,
  });
  if (!reserved.ok) throw new Error(`reserve refused ${userName}`);
  // Once the 201 is out (confirmCreate): the app id, the app's hash and the commit in one write.
  await side.map.update('demo', 'User', scimId, {
    appId: `${tag}-${i}-app`,
    appHash: 'h'.repeat(22),
    committed: true,
  });
  side.created.push(scimId);
};

/** Runs `operation` for 0 … OPS-1, `concurrency` at a time. */
const together =
  (operation: Operation, concurrency: number): Operation =>
  async (side, tag, i) => {
    if (i % concurrency === 0)
      await Promise.all(Array.from({ length: Math.min(concurrency, OPS - i) }, (_, j) => operation(side, tag, i + j)));
  };

const OPERATIONS: Record<string, Operation> = {
  create,
  'create, 16 at once': together(create, 16),
  // GET /Users/{id}: the record.
  read: async (side, _tag, i) => {
    await side.map.get('demo', 'User', side.created[i % side.created.length]!);
  },
  // PATCH: the record, then the new shadow, key, externalId, app hash and time.
  patch: async (side, tag, i) => {
    const scimId = side.created[i % side.created.length]!;
    const record = (await side.map.get('demo', 'User', scimId))!;
    const shadow = { ...record.shadow!, displayName: `Changed ${tag}-${i}` };
    await side.map.update('demo', 'User', scimId, {
      shadow,
      key: record.key,
      externalId: record.externalId,
      appHash: 'p'.repeat(22),
      lastModified: new Date().toISOString(),
    });
  },
};

function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

async function measure(side: Side, operation: Operation, tag: string): Promise<{ cpu: number; wall: number }> {
  const cpu = cpuMicros();
  const wall = performance.now();
  for (let i = 0; i < OPS; i++) await operation(side, tag, i);
  return { cpu: (cpuMicros() - cpu) / OPS, wall: ((performance.now() - wall) * 1000) / OPS };
}

/** Seconds a start-up takes to move MOVE_USERS mappings from the first layout into the current table. */
async function timeMove(work: string): Promise<number> {
  const file = join(work, 'first-layout.sqlite');
  const old = new DatabaseSync(file);
  old.exec(`PRAGMA journal_mode = WAL; ${FIRST_LAYOUT}`);
  const insert = old.prepare('INSERT INTO mappings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)');
  old.exec('BEGIN');
  for (let i = 0; i < MOVE_USERS; i++) {
    const userName = `moved-${i}@bench.example`;
    const shadow = JSON.stringify(shadowOf(userName));
    const at = new Date(1_700_000_000_000 + i).toISOString();
    insert.run('demo', 'User', randomUUID(), String(i), userName, userName, `ext-${i}`, shadow, 'h', at, at);
  }
  old.exec('COMMIT');
  old.close();
  const started = performance.now();
  const map = new SqliteIdMap(file);
  const seconds = (performance.now() - started) / 1000;
  if ((await map.count('demo', 'User')) !== MOVE_USERS) throw new Error('the move lost mappings');
  await map.close();
  return seconds;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'scimgw-bench-store-'));
  const redis = SIDES.includes('redis') ? await startRedis() : undefined;
  const sides: Side[] = [];
  try {
    if (SIDES.includes('embedded')) {
      const file = join(work, 'scimgw.sqlite');
      const map = new SqliteIdMap(file);
      sides.push({
        name: 'embedded',
        map,
        created: [],
        close: () => map.close(),
        size: () => statSync(file).size,
      });
    }
    if (redis) {
      const client = createRedisClient({ url: redis.url });
      await whenReady(client);
      const map = new RedisIdMap(client);
      sides.push({ name: 'redis', map, created: [], close: () => map.close() });
    }
    const results = new Map<string, { cpu: number[]; wall: number[] }>();
    for (let round = 0; round < ROUNDS; round++)
      for (const name of Object.keys(OPERATIONS))
        for (const side of round % 2 ? [...sides].reverse() : sides) {
          const { cpu, wall } = await measure(
            side,
            OPERATIONS[name]!,
            `r${round}-${Object.keys(OPERATIONS).indexOf(name)}`,
          );
          const key = `${name}|${side.name}`;
          const entry = results.get(key) ?? { cpu: [], wall: [] };
          entry.cpu.push(cpu);
          entry.wall.push(wall);
          results.set(key, entry);
        }
    process.stdout.write(
      `bench:store: ${ROUNDS} rounds × ${OPS} operations, Node ${process.version}\n\n| operation | store | CPU µs/op | wall µs/op |\n|---|---|---|---|\n`,
    );
    for (const [key, entry] of results) {
      const [name, side] = key.split('|');
      process.stdout.write(
        `| ${name} | ${side} | ${median(entry.cpu).toFixed(1)} | ${median(entry.wall).toFixed(1)} |\n`,
      );
    }
    // Closing the last connection checkpoints the WAL into the file: then the file holds everything.
    for (const side of sides) await side.close();
    for (const side of sides)
      if (side.size)
        process.stdout.write(
          `\n${side.name}: ${side.created.length} users, ${((side.size() / side.created.length) | 0).toLocaleString('en')} bytes per user in the database file\n`,
        );
    if (MOVE_USERS > 0 && SIDES.includes('embedded'))
      process.stdout.write(
        `embedded: ${MOVE_USERS.toLocaleString('en')} mappings moved from the first layout at start-up in ${(await timeMove(work)).toFixed(2)} s\n`,
      );
  } finally {
    // Closed already when the run got that far; closing again is harmless.
    for (const side of sides) await side.close().catch(() => undefined);
    await redis?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
