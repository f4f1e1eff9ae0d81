/** The behaviour every MemberProgress must have; run against the in-process, SQLite and Redis ones. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MemberProgress } from '../../src/core/member-progress.ts';

export function memberProgressContract(name: string, open: () => Promise<MemberProgress>): void {
  describe(`MemberProgress contract: ${name}`, () => {
    it('starts empty, records adds and removes per member, and the last change of a member wins', async () => {
      const progress = await open();
      const group = randomUUID();
      expect(await progress.get('app1', group)).toEqual(new Map());
      await progress.record('app1', group, 'add', ['u1', 'u2']);
      await progress.record('app1', group, 'remove', ['u3']);
      await progress.record('app1', group, 'remove', ['u2']);
      expect(await progress.get('app1', group)).toEqual(
        new Map([
          ['u1', 'add'],
          ['u2', 'remove'],
          ['u3', 'remove'],
        ]),
      );
    });

    it('keeps groups and apps apart, and clear forgets one group only', async () => {
      const progress = await open();
      const [g1, g2] = [randomUUID(), randomUUID()];
      await progress.record('app1', g1, 'add', ['u1']);
      await progress.record('app1', g2, 'add', ['u2']);
      await progress.record('app2', g1, 'add', ['u3']);
      await progress.clear('app1', g1);
      expect(await progress.get('app1', g1)).toEqual(new Map());
      expect(await progress.get('app1', g2)).toEqual(new Map([['u2', 'add']]));
      expect(await progress.get('app2', g1)).toEqual(new Map([['u3', 'add']]));
    });

    it('records nothing for an empty list', async () => {
      const progress = await open();
      const group = randomUUID();
      await progress.record('app1', group, 'add', []);
      expect(await progress.get('app1', group)).toEqual(new Map());
    });
  });
}
