import { describe, expect, it } from 'vitest';
import {
  canonicalName,
  isMembersPath,
  isWholeSchemaUrn,
  resolvePath,
  topLevelName,
} from '../../../src/scim/schema/canonical.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';

const { User, Group } = resourceTypes;
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User';

describe('resolvePath: one canonical name for every form of an attribute', () => {
  it.each([
    ['userName', 'userName', false],
    ['USERNAME', 'userName', false],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName', 'userName', false],
    ['name.FamilyName', 'name.familyName', false],
    ['emails.Value', 'emails.value', false],
    [`${ENT}:manager.value`, `${ENT}:manager.value`, false],
    ['manager', `${ENT}:manager`, false],
    [`${ENT.toUpperCase()}:EmployeeNumber`, `${ENT}:employeeNumber`, false],
    [`${CUSTOM}:CustomAttribute`, `${CUSTOM}:CustomAttribute`, true],
    ['favouriteColour', 'favouriteColour', true],
    ['office.floor', 'office.floor', true],
    [`${ENT}:badge`, `${ENT}:badge`, true],
    ['urn:ietf:params:scim:schemas:core:2.0:User:favouriteColour', 'favouriteColour', true],
  ])('User %s → %s (ad hoc: %s)', (path, canonical, adHoc) => {
    const resolved = resolvePath(User, path);
    expect(resolved && canonicalName(resolved)).toBe(canonical);
    expect(Boolean(resolved?.attribute?.adHoc)).toBe(adHoc);
  });

  it.each([
    ['members', 'members'],
    ['Members', 'members'],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:members', 'members'],
    ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:GROUP:Members.Value', 'members.value'],
  ])('Group %s → %s', (path, canonical) => {
    const resolved = resolvePath(Group, path);
    expect(resolved && canonicalName(resolved)).toBe(canonical);
    expect(resolved?.attribute?.adHoc).toBeUndefined();
  });

  it('resolves a whole undeclared extension as a schema with no attribute', () => {
    const resolved = resolvePath(User, CUSTOM);
    expect(resolved).toMatchObject({
      extension: true,
      schema: { id: CUSTOM, name: 'CustomExtensionName', adHoc: true },
    });
    expect(resolved?.attribute).toBeUndefined();
  });

  it.each([
    'name.nick', // declared complex attributes have the sub-attributes their schema gives
    'emails.label',
    `${ENT}:manager.email`,
    'schemas',
    'a.b.c',
    '__proto__',
    '1abc',
    'urn:',
    'has space',
  ])('leaves %s unresolved', (path) => {
    expect(resolvePath(User, path)).toBeUndefined();
  });

  it('names top-level attributes for change lists and reports', () => {
    expect(topLevelName(resolvePath(User, 'name.givenName')!)).toBe('name');
    expect(topLevelName(resolvePath(User, `${CUSTOM}:CustomAttribute`)!)).toBe(`${CUSTOM}:CustomAttribute`);
  });
});

describe('isWholeSchemaUrn', () => {
  it.each([
    [CUSTOM, true],
    ['urn:example:acme:User', true],
    ['urn:example:acme:2.0:Account', true],
    [`${CUSTOM}:CustomAttribute`, false],
    ['urn:example:acme:badge', false],
    ['not-a-urn', false],
  ])('%s → %s', (text, whole) => {
    expect(isWholeSchemaUrn(User, text)).toBe(whole);
  });
});

describe('isMembersPath', () => {
  it.each([
    ['members', true],
    ['members[value eq "u1"]', true],
    ['members[value eq "u1"].value', true],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:members', true],
    ['urn:ietf:params:scim:schemas:core:2.0:Group:members[value eq "u1"]', true],
    ['MEMBERS.value', true],
    ['displayName', false],
    ['membersX', false],
  ])('Group %s → %s', (path, expected) => {
    expect(isMembersPath(Group, path)).toBe(expected);
  });

  it('is never true for Users', () => {
    expect(isMembersPath(User, 'members')).toBe(false);
  });
});
