/** PATCH fixtures for Groups: the member forms Entra and Microsoft's SCIM collection send. */
import type { ScimResource } from '../../../src/scim/schema/types.ts';
import { CORE_GROUP, edit } from './helpers.ts';
import type { PatchCase, PatchErrorCase } from './user-fixtures.ts';

export const emptyGroup: ScimResource = {
  schemas: [CORE_GROUP],
  id: 'g1',
  displayName: 'Group One',
  meta: { resourceType: 'Group', created: '2020-01-01T00:00:00Z' },
};

export const groupU1U2: ScimResource = edit(emptyGroup, (g) => (g.members = [{ value: 'u1' }, { value: 'u2' }]));

export const groupCases: PatchCase[] = [
  {
    name: 'Add members with "$ref": null drops the null $ref',
    resource: emptyGroup,
    operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }, { value: 'u2' }] }],
    expect: { resource: groupU1U2, changed: ['members'] },
  },
  {
    name: 'Add to existing members appends',
    resource: groupU1U2,
    operations: [{ op: 'Add', path: 'members', value: [{ value: 'u3' }] }],
    expect: { resource: edit(groupU1U2, (g) => g.members.push({ value: 'u3' })), changed: ['members'] },
  },
  {
    name: 'Add of an existing member is no change',
    resource: groupU1U2,
    operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
    expect: { resource: groupU1U2, changed: [] },
  },
  {
    name: 'Remove with a value list removes only the listed members (Entra)',
    resource: groupU1U2,
    operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: 'u1' }] }],
    expect: { resource: edit(groupU1U2, (g) => (g.members = [{ value: 'u2' }])), changed: ['members'] },
  },
  {
    name: 'remove members[value eq "u2"] removes only u2',
    resource: groupU1U2,
    operations: [{ op: 'remove', path: 'members[value eq "u2"]' }],
    expect: { resource: edit(groupU1U2, (g) => (g.members = [{ value: 'u1' }])), changed: ['members'] },
  },
  {
    name: 'remove members removes them all',
    resource: groupU1U2,
    operations: [{ op: 'remove', path: 'members' }],
    expect: { resource: emptyGroup, changed: ['members'] },
  },
  {
    name: 'Remove of the last listed member removes the attribute',
    resource: edit(emptyGroup, (g) => (g.members = [{ value: 'u1' }])),
    operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }],
    expect: { resource: emptyGroup, changed: ['members'] },
  },
  {
    name: 'removing a non-member (value list) is success with no change',
    resource: groupU1U2,
    operations: [{ op: 'Remove', path: 'members', value: [{ value: 'nobody' }] }],
    expect: { resource: groupU1U2, changed: [] },
  },
  {
    name: 'removing a non-member (filter) is success with no change',
    resource: groupU1U2,
    operations: [{ op: 'remove', path: 'members[value eq "nobody"]' }],
    expect: { resource: groupU1U2, changed: [] },
  },
  {
    name: 'removing a member from a group without members is no change',
    resource: emptyGroup,
    operations: [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }] }],
    expect: { resource: emptyGroup, changed: [] },
  },
  {
    name: 'member value as a plain string (Microsoft collection)',
    resource: emptyGroup,
    operations: [{ op: 'add', path: 'members', value: 'string id 1' }],
    expect: { resource: edit(emptyGroup, (g) => (g.members = [{ value: 'string id 1' }])), changed: ['members'] },
  },
  {
    name: 'member values as a list of plain strings',
    resource: emptyGroup,
    operations: [{ op: 'add', path: 'members', value: ['string id 1', 'string id 2'] }],
    expect: {
      resource: edit(emptyGroup, (g) => (g.members = [{ value: 'string id 1' }, { value: 'string id 2' }])),
      changed: ['members'],
    },
  },
  {
    name: 'member value as a single object',
    resource: emptyGroup,
    operations: [{ op: 'add', path: 'members', value: { value: 'u9' } }],
    expect: { resource: edit(emptyGroup, (g) => (g.members = [{ value: 'u9' }])), changed: ['members'] },
  },
  {
    name: 'replace members replaces the list',
    resource: groupU1U2,
    operations: [{ op: 'replace', path: 'members', value: [{ value: 'u3' }] }],
    expect: { resource: edit(emptyGroup, (g) => (g.members = [{ value: 'u3' }])), changed: ['members'] },
  },
  {
    name: 'Replace displayName',
    resource: groupU1U2,
    operations: [{ op: 'Replace', path: 'displayName', value: 'Renamed' }],
    expect: { resource: edit(groupU1U2, (g) => (g.displayName = 'Renamed')), changed: ['displayName'] },
  },
  {
    name: 'no-path Replace of displayName and externalId',
    resource: groupU1U2,
    operations: [{ op: 'Replace', value: { id: 'ignored', displayName: 'Renamed', externalId: 'e1' } }],
    expect: {
      resource: edit(groupU1U2, (g) => {
        g.displayName = 'Renamed';
        g.externalId = 'e1';
      }),
      changed: ['displayName', 'externalId'],
    },
  },
];

export const groupErrorCases: PatchErrorCase[] = [
  {
    name: 'remove of displayName (required)',
    resource: groupU1U2,
    operations: [{ op: 'remove', path: 'displayName' }],
    error: { scimType: 'mutability' },
  },
  {
    name: 'a value filter on an attribute Groups do not declare',
    resource: groupU1U2,
    operations: [{ op: 'replace', path: 'userName[value eq "x"]', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'a sub-attribute members does not have',
    resource: groupU1U2,
    operations: [{ op: 'replace', path: 'members.nickname', value: 'x' }],
    error: { scimType: 'invalidPath' },
  },
  {
    name: 'remove members without path',
    resource: groupU1U2,
    operations: [{ op: 'Remove', value: [{ value: 'u1' }] }],
    error: { scimType: 'noTarget' },
  },
];
