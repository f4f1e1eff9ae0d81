import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDemoApp } from '../../src/demo-app/server.ts';
import { API_KEY, startApp } from './helpers.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'demo-app-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot persistence', () => {
  it('survives a restart with data and id counters intact', async () => {
    const file = join(dir, 'nested', 'state.json');
    const first = await startApp({ snapshotFile: file });
    await first.call('POST', '/api/users', { body: { user_name: 'a', office: { city: 'Rome' } } });
    await first.call('POST', '/api/users', { body: { user_name: 'b', manager_id: 1 } });
    await first.call('POST', '/api/users', { body: { user_name: 'gone' } });
    await first.call('DELETE', '/api/users/3');
    await first.call('POST', '/api/teams', { body: { name: 'T' } });
    await first.call('PUT', '/api/teams/1/members/2');
    const users = first.app.store.listUsers().items;
    const memberships = first.app.store.listMemberships();
    await first.app.close();
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['state.json']);

    const second = await startApp({ snapshotFile: file });
    try {
      expect(second.app.store.listUsers().items).toEqual(users);
      expect(second.app.store.listMemberships()).toEqual(memberships);
      expect((await second.call('GET', '/api/users/2')).body.manager_id).toBe(1);
      expect(second.app.stats()).toMatchObject({ users: 2, teams: 1 });
      expect((await second.call('POST', '/api/users', { body: { user_name: 'c' } })).body.id).toBe(4);
      expect((await second.call('POST', '/api/teams', { body: { name: 'U' } })).body.id).toBe(2);
      expect((await second.call('POST', '/api/users', { body: { user_name: 'A' } })).status).toBe(422);
    } finally {
      await second.app.close();
    }
  });

  it('writes changes on its own after the debounce', async () => {
    const file = join(dir, 'state.json');
    const t = await startApp({ snapshotFile: file });
    try {
      await t.call('POST', '/api/teams', { body: { name: 'T' } });
      for (let i = 0; i < 50 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved).toMatchObject({ version: 1, next_user_id: 1, next_team_id: 2, teams: [{ name: 'T' }] });
    } finally {
      await t.app.close();
    }
  });

  it('persists a reset', async () => {
    const file = join(dir, 'state.json');
    const first = await startApp({ snapshotFile: file });
    await first.call('POST', '/api/users', { body: { user_name: 'a' } });
    await first.call('POST', '/_reset', { key: null });
    await first.app.close();
    const second = createDemoApp({ apiKey: API_KEY, snapshotFile: file });
    expect(second.stats()).toMatchObject({ users: 0 });
    await second.close();
  });

  it('refuses a file that is not a snapshot', () => {
    const file = join(dir, 'state.json');
    writeFileSync(file, '{"users": 3}');
    expect(() => createDemoApp({ apiKey: API_KEY, snapshotFile: file })).toThrow(/not a version 1 snapshot/);
    writeFileSync(file, '{oops');
    expect(() => createDemoApp({ apiKey: API_KEY, snapshotFile: file })).toThrow(/Cannot read demo app snapshot/);
  });

  it('keeps state in memory only without snapshotFile', async () => {
    const t = await startApp();
    await t.call('POST', '/api/users', { body: { user_name: 'a' } });
    await t.app.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
