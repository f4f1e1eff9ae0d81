import { describe, expect, it } from 'vitest';
import { applyPatch, changedAttributes, parsePatchRequest } from '../../../src/scim/patch/apply.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import type { ResourceTypeDef } from '../../../src/scim/schema/types.ts';
import { groupCases, groupErrorCases } from './group-fixtures.ts';
import { edit, ENT, expectScimError, patchBody } from './helpers.ts';
import {
  baseUser,
  entraUserCases,
  rfcUserCases,
  userErrorCases,
  type PatchCase,
  type PatchErrorCase,
} from './user-fixtures.ts';

function run(resourceType: ResourceTypeDef, cases: PatchCase[]) {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = structuredClone(c.resource);
    const result = applyPatch(resourceType, c.resource, parsePatchRequest(patchBody(c.operations)));
    expect(result.resource).toStrictEqual(c.expect.resource);
    expect([...result.changed].sort()).toEqual([...c.expect.changed].sort());
    // applyPatch never mutates its input.
    expect(c.resource).toStrictEqual(before);
  });
}

function runErrors(resourceType: ResourceTypeDef, cases: PatchErrorCase[]) {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const before = structuredClone(c.resource);
    expectScimError(() => applyPatch(resourceType, c.resource, parsePatchRequest(patchBody(c.operations))), c.error);
    expect(c.resource).toStrictEqual(before);
  });
}

describe('applyPatch: Entra user forms', () => run(resourceTypes.User, entraUserCases));
describe('applyPatch: RFC 7644 user semantics', () => run(resourceTypes.User, rfcUserCases));
describe('applyPatch: group forms', () => run(resourceTypes.Group, groupCases));
describe('applyPatch: user errors', () => runErrors(resourceTypes.User, userErrorCases));
describe('applyPatch: group errors', () => runErrors(resourceTypes.Group, groupErrorCases));

describe('applyPatch atomicity', () => {
  it('a failing 2nd operation throws and leaves the input untouched', () => {
    const input = structuredClone(baseUser);
    const snapshot = structuredClone(input);
    const operations = parsePatchRequest(
      patchBody([
        { op: 'replace', path: 'displayName', value: 'changed' },
        { op: 'remove', path: 'userName' },
      ]),
    );
    expectScimError(() => applyPatch(resourceTypes.User, input, operations), { scimType: 'mutability' });
    expect(input).toStrictEqual(snapshot);
  });

  it('the result shares no objects with the input or the operation values', () => {
    const input = structuredClone(baseUser);
    const value = [{ value: 'new@x', type: 'other' }];
    const { resource } = applyPatch(resourceTypes.User, input, [{ op: 'add', path: 'emails', value }]);
    (resource.name as Record<string, unknown>).givenName = 'mutated';
    (resource[ENT] as Record<string, unknown>).department = 'mutated';
    ((resource.emails as Record<string, unknown>[])[2] as Record<string, unknown>).value = 'mutated';
    expect(input).toStrictEqual(baseUser);
    expect(value).toEqual([{ value: 'new@x', type: 'other' }]);
  });

  it('an empty operation list returns an equal copy and no changes', () => {
    const result = applyPatch(resourceTypes.User, baseUser, []);
    expect(result.resource).toStrictEqual(baseUser);
    expect(result.resource).not.toBe(baseUser);
    expect(result.changed).toEqual([]);
  });
});

describe('changedAttributes', () => {
  const cases = [
    { name: 'nothing changed', before: baseUser, after: structuredClone(baseUser), changed: [] },
    {
      name: 'a core attribute added',
      before: baseUser,
      after: edit(baseUser, (r) => (r.title = 't')),
      changed: ['title'],
    },
    {
      name: 'a core attribute removed',
      before: baseUser,
      after: edit(baseUser, (r) => delete r.displayName),
      changed: ['displayName'],
    },
    {
      name: 'a sub-attribute changed reports the parent',
      before: baseUser,
      after: edit(baseUser, (r) => (r.name.givenName = 'x')),
      changed: ['name'],
    },
    {
      name: 'an extension attribute changed is URN-qualified',
      before: baseUser,
      after: edit(baseUser, (r) => (r[ENT].department = 'x')),
      changed: [`${ENT}:department`],
    },
    {
      name: 'the extension added',
      before: edit(baseUser, (r) => delete r[ENT]),
      after: edit(baseUser, (r) => (r[ENT] = { costCenter: 'c' })),
      changed: [`${ENT}:costCenter`],
    },
    {
      name: 'key order does not matter',
      before: { a: 1, name: { x: 1, y: 2 } },
      after: { name: { y: 2, x: 1 }, a: 1 },
      changed: [],
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(changedAttributes(resourceTypes.User, c.before, c.after).sort()).toEqual([...c.changed].sort());
  });
});
