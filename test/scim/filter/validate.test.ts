import { describe, expect, it } from 'vitest';
import { ScimRequestError } from '../../../src/errors.ts';
import type { Filter } from '../../../src/scim/filter/ast.ts';
import { compileFilter, matchesFilter, validateFilter } from '../../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../../src/scim/filter/parse.ts';
import { resourceTypes } from '../../../src/scim/schema/core-schemas.ts';
import { ENTERPRISE, sampleUser } from './fixtures.ts';

function invalidFilter(run: () => unknown): ScimRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ScimRequestError);
    const scimError = error as ScimRequestError;
    expect(scimError.scimType).toBe('invalidFilter');
    expect(scimError.message.length).toBeGreaterThan(20);
    return scimError;
  }
  throw new Error('expected an invalidFilter error');
}

const rejected: { type: 'User' | 'Group'; filter: string; message: RegExp }[] = [
  { type: 'User', filter: 'name.foo eq 1', message: /"name" has no sub-attribute "foo"; it has formatted, familyName/ },
  { type: 'User', filter: 'userName.x pr', message: /"userName" is not a complex attribute/ },
  {
    type: 'User',
    filter: 'emails[foo eq 1]',
    message: /"emails" has no sub-attribute "foo"; it has value, display, type, primary/,
  },
  { type: 'User', filter: 'emails[type eq "work"].foo eq 1', message: /"emails" has no sub-attribute "foo"/ },
  { type: 'User', filter: `emails[${ENTERPRISE}:type eq 1]`, message: /without a schema URN/ },
  { type: 'User', filter: 'userName[value eq 1]', message: /"userName" is not a complex attribute/ },
  { type: 'User', filter: `${ENTERPRISE} pr`, message: /names the whole schema/ },
  {
    type: 'User',
    filter: 'name eq "x"',
    message:
      /"name" is complex and has no "value" sub-attribute; compare one of its sub-attributes, e.g. "name.formatted"/,
  },
  { type: 'Group', filter: 'members[foo eq "x"]', message: /"members" has no sub-attribute "foo"/ },
  {
    type: 'User',
    filter: 'active gt true',
    message: /"active" is a boolean attribute; gt, ge, lt and le are not defined/,
  },
  { type: 'User', filter: 'active ge false', message: /boolean attribute/ },
  { type: 'User', filter: 'active lt "True"', message: /boolean attribute/ },
  { type: 'User', filter: 'emails.primary le true', message: /boolean attribute/ },
  { type: 'User', filter: 'emails[primary gt false]', message: /boolean attribute/ },
  { type: 'User', filter: 'x509Certificates gt "abc"', message: /binary attribute/ },
  { type: 'User', filter: 'x509Certificates.value lt "abc"', message: /binary attribute/ },
  { type: 'User', filter: 'title gt null', message: /null can only be compared with eq or ne/ },
  { type: 'User', filter: 'title co null', message: /null can only be compared/ },
  { type: 'User', filter: 'favoriteColor[value eq "x"]', message: /"favoriteColor" is not a complex attribute/ },
  { type: 'User', filter: 'favoriteColor eq "x" and schemas eq "y"', message: /unknown attribute "schemas"/ },
];

describe('validateFilter', () => {
  it.each(rejected)('$type: $filter', ({ type, filter, message }) => {
    const error = invalidFilter(() => validateFilter(parseFilter(filter), resourceTypes[type]));
    expect(error.message).toMatch(/^Invalid filter: /);
    expect(error.message).toMatch(message);
  });

  it.each(rejected)('matchesFilter and compileFilter reject too: $filter', ({ type, filter }) => {
    invalidFilter(() => matchesFilter(parseFilter(filter), sampleUser, resourceTypes[type]));
    invalidFilter(() => compileFilter(parseFilter(filter), resourceTypes[type]));
  });

  it.each([
    ['User', 'active eq true'],
    ['User', 'active ne "False"'],
    ['User', 'x509Certificates eq "abc"'],
    ['User', 'meta.created gt "2010-01-01T00:00:00Z"'],
    ['User', `${ENTERPRISE}:manager.$ref pr`],
    ['User', 'manager eq "x"'],
    ['User', 'Groups.Display co "x"'],
    ['Group', 'members[value eq "u1" and type eq "User"]'],
    ['Group', 'externalId eq "x" and meta.version pr'],
  ] as const)('%s: accepts %s', (type, filter) => {
    expect(() => validateFilter(parseFilter(filter), resourceTypes[type])).not.toThrow();
  });

  // Entra may match on an attribute the admin added and never declared: such names compare against the
  // values kept for them, as strings, instead of failing Test Connection or every match query.
  it.each([
    ['User', 'foo eq "Blue"', { userName: 'u', foo: 'blue' }, true],
    ['User', 'foo pr or userName pr', { userName: 'u' }, true],
    ['User', 'foo pr', { userName: 'u' }, false],
    ['User', `${ENTERPRISE}:userName eq "x"`, { [ENTERPRISE]: { userName: 'X' } }, true],
    ['User', 'urn:example:unknown:2.0:User:badge eq "7"', { 'urn:example:unknown:2.0:User': { badge: '7' } }, true],
    ['User', 'URN:EXAMPLE:UNKNOWN:2.0:User:BADGE eq "7"', { 'urn:example:unknown:2.0:User': { badge: '7' } }, true],
    ['User', 'urn:example:unknown:2.0:User:badge eq "8"', { 'urn:example:unknown:2.0:User': { badge: '7' } }, false],
    ['Group', 'userName eq "x"', { displayName: 'g' }, false],
  ] as const)('%s: an undeclared attribute in %s is compared with what is kept', (type, filter, resource, expected) => {
    expect(matchesFilter(parseFilter(filter), resource, resourceTypes[type])).toBe(expected);
  });

  it('rejects nested value paths in a hand-built tree', () => {
    const filter: Filter = {
      kind: 'valuePath',
      path: { attr: 'emails' },
      filter: { kind: 'valuePath', path: { attr: 'type' }, filter: { kind: 'present', path: { attr: 'value' } } },
    };
    const error = invalidFilter(() => validateFilter(filter, resourceTypes.User));
    expect(error.message).toMatch(/cannot be nested/);
  });
});
