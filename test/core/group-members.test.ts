/** Splitting group PATCHes into member changes, and the adds and removes they come to. */
import { describe, expect, it } from 'vitest';
import { memberDelta, needsCurrentMembers, splitMemberOperations } from '../../src/core/group-members.ts';
import type { PatchOperation } from '../../src/scim/patch/apply.ts';

const CORE_MEMBERS = 'urn:ietf:params:scim:schemas:core:2.0:Group:members';

describe('splitMemberOperations', () => {
  it.each<[string, PatchOperation, { op: string; values: string[]; whole: boolean }]>([
    [
      'Entra add with $ref null',
      { op: 'add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2' }] },
      { op: 'add', values: ['u1', 'u2'], whole: true },
    ],
    [
      'the core URN path',
      { op: 'add', path: CORE_MEMBERS, value: [{ value: 'u1' }] },
      { op: 'add', values: ['u1'], whole: true },
    ],
    [
      'the core URN path in another case',
      { op: 'remove', path: CORE_MEMBERS.toUpperCase(), value: [{ value: 'u1' }] },
      { op: 'remove', values: ['u1'], whole: true },
    ],
    [
      'Members capitalised',
      { op: 'remove', path: 'Members', value: [{ value: 'u1' }] },
      { op: 'remove', values: ['u1'], whole: true },
    ],
    [
      'a value filter',
      { op: 'remove', path: 'members[value eq "u3"]' },
      { op: 'remove', values: ['u3'], whole: false },
    ],
    [
      'a value filter under the URN',
      { op: 'remove', path: `${CORE_MEMBERS}[value eq "u3"]` },
      { op: 'remove', values: ['u3'], whole: false },
    ],
    [
      'or-ed value filters',
      { op: 'remove', path: 'members[value eq "a" or value eq "b"]' },
      { op: 'remove', values: ['a', 'b'], whole: false },
    ],
    [
      "a bare string value (Microsoft's collection)",
      { op: 'add', path: 'members', value: 'u9' },
      { op: 'add', values: ['u9'], whole: true },
    ],
  ])('%s', (_name, operation, expected) => {
    const { members, others } = splitMemberOperations([operation]);
    expect(others).toEqual([]);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject(expected);
  });

  it('takes members out of a no-path value, keyed "members" or by its URN, and leaves the rest', () => {
    const { members, others } = splitMemberOperations([
      { op: 'add', value: { displayName: 'G', [CORE_MEMBERS]: [{ value: 'u1', display: 'One' }] } },
      { op: 'add', value: { members: [{ value: 'u2' }] } },
    ]);
    expect(members).toEqual([
      { op: 'add', values: ['u1'], displays: { u1: 'One' }, whole: true },
      { op: 'add', values: ['u2'], displays: {}, whole: true },
    ]);
    expect(others).toEqual([{ op: 'add', value: { displayName: 'G' } }]);
  });

  it('keeps a filter it cannot read as ids, and leaves other attributes alone', () => {
    const { members, others } = splitMemberOperations([
      { op: 'remove', path: 'members[type eq "User"]' },
      { op: 'replace', path: 'displayName', value: 'New' },
      { op: 'replace', path: 'members.display', value: 'x' },
    ]);
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ op: 'remove', values: [], whole: false, filter: { kind: 'compare' } });
    expect(others).toEqual([{ op: 'replace', path: 'displayName', value: 'New' }]);
  });
});

describe('memberDelta', () => {
  it('adds and removes by id without the current list, last word per id winning', () => {
    const changes = splitMemberOperations([
      { op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
      { op: 'remove', path: 'members[value eq "u2"]' },
      { op: 'remove', path: CORE_MEMBERS, value: [{ value: 'u3' }] },
    ]).members;
    expect(needsCurrentMembers(changes)).toBe(false);
    expect(memberDelta(changes)).toEqual({ add: ['u1'], remove: ['u2', 'u3'] });
  });

  it('needs the current list for a replace or a remove of all, and sends only the difference', () => {
    const replace = splitMemberOperations([
      { op: 'replace', path: 'members', value: [{ value: 'u1' }, { value: 'u4' }] },
    ]).members;
    expect(needsCurrentMembers(replace)).toBe(true);
    expect(memberDelta(replace, ['u1', 'u2'])).toEqual({ add: ['u4'], remove: ['u2'] });
    const clear = splitMemberOperations([{ op: 'remove', path: 'members' }]).members;
    expect(memberDelta(clear, ['u1', 'u2'])).toEqual({ add: [], remove: ['u1', 'u2'] });
  });
});
