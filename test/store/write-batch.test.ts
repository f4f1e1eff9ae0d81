/**
 * Group commit in the embedded id map (src/store/embedded/write-batch.ts): the writes of one turn share a
 * transaction, and nobody is answered before it is on disk. The batches here are committed by hand (an
 * injected schedule) so each test decides when the turn ends.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyTakenError, type NewRecord } from '../../src/core/id-map.ts';
import { SqliteIdMap } from '../../src/store/embedded/sqlite-id-map.ts';
import { SqliteGuard } from '../../src/store/embedded/sqlite-guard.ts';
import { SqliteMemberProgress } from '../../src/store/embedded/sqlite-member-progress.ts';
import { WriteBatch } from '../../src/store/embedded/write-batch.ts';
import { StoreUnavailableError } from '../../src/store/store-errors.ts';
import { idMapContract } from './id-map-contract.ts';

function record(scimId: string, key: string): NewRecord {
  return {
    app: 'a',
    kind: 'User',
    scimId,
    key,
    externalId: null,
    shadow: { userName: key },
    appHash: null,
    created: 'c',
    lastModified: 'm',
    committed: false,
  };
}

/** What another process reading the file sees: only committed rows. */
function committedKeys(file: string): string[] {
  const reader = new DatabaseSync(file, { readOnly: true });
  try {
    return (reader.prepare('SELECT key FROM id_map ORDER BY id').all() as { key: string }[]).map((row) => row.key);
  } finally {
    reader.close();
  }
}

/** Whether `promise` has settled once the microtasks queued now have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe('the embedded id map commits the writes of one turn together', () => {
  let dir: string;
  let file: string;
  let commits: (() => void)[];
  let map: SqliteIdMap;
  const endTurn = () => commits.splice(0).forEach((commit) => commit());
  /** s1 ("one") written in a turn with another write, so that the next turn batches from its first write. */
  const seed = () =>
    Promise.all([
      map.reserve(record('s1', 'one')),
      map.update('a', 'User', 's1', { externalId: 'e1' }),
      Promise.resolve().then(endTurn),
    ]);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scimgw-batch-'));
    file = join(dir, 'scimgw.sqlite');
    commits = [];
    map = new SqliteIdMap(file, (commit) => commits.push(commit));
  });
  afterEach(async () => {
    await map.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers no write and no read before the commit, and then all of them from one transaction', async () => {
    const first = map.reserve(record('s1', 'one'));
    const second = map.reserve(record('s2', 'two'));
    const read = map.get('a', 'User', 's1');
    expect(commits).toHaveLength(1);
    expect(await settled(first)).toBe(false);
    expect(await settled(read)).toBe(false);
    expect(committedKeys(file)).toEqual([]);

    endTurn();
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: true });
    // The read saw the batch's own write, and was answered only once it was on disk.
    expect(await read).toMatchObject({ scimId: 's1', key: 'one' });
    expect(committedKeys(file)).toEqual(['one', 'two']);
  });

  it('answers a read at once when no batch is open', async () => {
    await seed();
    expect(await settled(map.get('a', 'User', 's1'))).toBe(true);
    expect(commits).toHaveLength(0);
  });

  it('commits the first write of a turn at once when the turn before had no other, and batches the rest', async () => {
    await Promise.all([map.reserve(record('s1', 'one')), Promise.resolve().then(endTurn)]);
    const alone = map.reserve(record('s2', 'two'));
    expect(await settled(alone)).toBe(true);
    expect(committedKeys(file)).toEqual(['one', 'two']);
    const batched = map.reserve(record('s3', 'three'));
    expect(await settled(batched)).toBe(false);
    endTurn();
    expect(await batched).toMatchObject({ ok: true });
    // That turn had two writes: the next one's first write waits for company again.
    expect(await settled(map.reserve(record('s4', 'four')))).toBe(false);
    endTurn();
    expect(committedKeys(file)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('keeps a refused write to its caller: the others in the batch are committed', async () => {
    await seed();
    const taken = map.reserve(record('s2', 'ONE'));
    const moved = map.update('a', 'User', 's1', { key: 'two' });
    const clash = map.reserve(record('s3', 'three'));
    const keyTaken = map.update('a', 'User', 's3', { key: 'two' });
    endTurn();
    expect(await taken).toMatchObject({ ok: false, existing: { scimId: 's1' } });
    expect(await moved).toMatchObject({ key: 'two' });
    expect(await clash).toMatchObject({ ok: true });
    await expect(keyTaken).rejects.toBeInstanceOf(KeyTakenError);
    expect(committedKeys(file)).toEqual(['two', 'three']);
  });

  it('adopts all candidates or none, without undoing the other writes of the batch', async () => {
    await seed();
    const other = map.reserve(record('s2', 'two'));
    // The second candidate's SCIM id is s1's: its insert fails after the first candidate's went in.
    const adopted = map.adopt('a', 'User', [
      { appId: 'x', key: 'adopted', externalId: null, scimId: 's9', created: 'c' },
      { appId: 'y', key: 'clash', externalId: null, scimId: 's1', created: 'c' },
    ]);
    endTurn();
    await expect(adopted).rejects.toThrow();
    expect(await other).toMatchObject({ ok: true });
    expect(committedKeys(file)).toEqual(['one', 'two']);
  });

  it('refuses every caller of a batch whose commit fails, and keeps none of its writes', async () => {
    await seed();
    const writes = [map.reserve(record('s2', 'two')), map.update('a', 'User', 's1', { appId: 'app-1' })];
    const read = map.get('a', 'User', 's1');
    // The file is replaced under the gateway: the commit's check refuses to write to the orphaned one.
    const copy = join(dir, 'copy.sqlite');
    copyFileSync(file, copy);
    renameSync(copy, file);
    endTurn();
    for (const answer of [...writes, read]) await expect(answer).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('is committed by another connection to the file before that one writes, which then does not wait for it', async () => {
    const progress = new SqliteMemberProgress(file);
    try {
      const reserved = map.reserve(record('s1', 'one'));
      await progress.record('a', 'g', 'add', ['s1']);
      expect(await settled(reserved)).toBe(true);
      expect(committedKeys(file)).toEqual(['one']);
      expect(commits).toHaveLength(1);
      endTurn(); // the scheduled commit finds nothing left to do
      expect((await progress.get('a', 'g')).get('s1')).toBe('add');
    } finally {
      progress.close();
    }
  });

  it('is committed by another connection that probes the file to recover from a failure', async () => {
    const other = new DatabaseSync(file);
    try {
      const guard = new SqliteGuard(other, file);
      const full = Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
      expect(() =>
        guard.run(true, () => {
          throw full;
        }),
      ).toThrow(StoreUnavailableError);
      const reserved = map.reserve(record('s1', 'one'));
      // The probe write would otherwise wait for the batch's lock until its busy timeout, and fail.
      expect(guard.run(false, () => 'recovered')).toBe('recovered');
      expect(await settled(reserved)).toBe(true);
      expect(committedKeys(file)).toEqual(['one']);
    } finally {
      other.close();
    }
  });

  it('commits what is open when the store is pinged or closed', async () => {
    const reserved = map.reserve(record('s1', 'one'));
    await map.ping();
    expect(await reserved).toMatchObject({ ok: true });
    const second = map.reserve(record('s2', 'two'));
    await map.close();
    expect(await second).toMatchObject({ ok: true });
    expect(committedKeys(file)).toEqual(['one', 'two']);
  });
});

describe('a write batch whose statement the store refuses', () => {
  it('gives up the whole batch, since SQLite may have ended its transaction, and recovers with the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimgw-batch-fail-'));
    const file = join(dir, 'scimgw.sqlite');
    const db = new DatabaseSync(file);
    try {
      db.exec('PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT)');
      const guard = new SqliteGuard(db, file);
      const commits: (() => void)[] = [];
      const batch = new WriteBatch(db, guard, file, (commit) => commits.push(commit));
      const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
      const earlier = batch.write(insert('earlier'));
      // What node:sqlite throws for SQLITE_FULL.
      const full = Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR', errcode: 13 });
      const refused = batch.write(() => {
        throw full;
      });
      await expect(refused).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(earlier).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(db.isTransaction).toBe(false);

      // The next write probes the store first, finds it writable, and goes through.
      const later = batch.write(insert('later'));
      commits.splice(0).forEach((commit) => commit());
      await later;
      expect(db.prepare('SELECT v FROM t').all()).toEqual([{ v: 'later' }]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

{
  const dirs: string[] = [];
  idMapContract(
    'embedded on disk, commits at the end of each turn',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'scimgw-batch-contract-'));
      dirs.push(dir);
      return new SqliteIdMap(join(dir, 'scimgw.sqlite'));
    },
    async (map) => {
      await map.close();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  );
}
