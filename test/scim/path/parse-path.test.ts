import { describe, expect, it } from 'vitest';
import { ScimRequestError } from '../../../src/errors.ts';
import { parsePatchPath, type PatchPath } from '../../../src/scim/path/parse-path.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

const valid: { path: string; expected: PatchPath }[] = [
  { path: 'members', expected: { path: { attr: 'members' } } },
  { path: 'userName', expected: { path: { attr: 'userName' } } },
  { path: 'name.familyName', expected: { path: { attr: 'name', sub: 'familyName' } } },
  { path: 'Name.FamilyName', expected: { path: { attr: 'Name', sub: 'FamilyName' } } },
  { path: '  displayName  ', expected: { path: { attr: 'displayName' } } },
  {
    path: 'addresses[type eq "work"]',
    expected: {
      path: { attr: 'addresses' },
      filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
    },
  },
  {
    path: 'addresses[type eq "work"].formatted',
    expected: {
      path: { attr: 'addresses' },
      filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      sub: 'formatted',
    },
  },
  {
    path: 'emails[type eq "work"].value',
    expected: {
      path: { attr: 'emails' },
      filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      sub: 'value',
    },
  },
  {
    path: 'Emails[Type EQ "Work"].Value',
    expected: {
      path: { attr: 'Emails' },
      filter: { kind: 'compare', path: { attr: 'Type' }, op: 'eq', value: 'Work' },
      sub: 'Value',
    },
  },
  {
    path: 'members[value eq "2819c223"]',
    expected: {
      path: { attr: 'members' },
      filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: '2819c223' },
    },
  },
  {
    path: 'members[value eq "x"].displayName',
    expected: {
      path: { attr: 'members' },
      filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: 'x' },
      sub: 'displayName',
    },
  },
  {
    path: 'emails[type eq "work" and not (primary eq true)]',
    expected: {
      path: { attr: 'emails' },
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
        right: { kind: 'not', filter: { kind: 'compare', path: { attr: 'primary' }, op: 'eq', value: true } },
      },
    },
  },
  {
    path: 'members[value eq 2819c223-7f76-453a-919d-413861904646]',
    expected: {
      path: { attr: 'members' },
      filter: { kind: 'compare', path: { attr: 'value' }, op: 'eq', value: '2819c223-7f76-453a-919d-413861904646' },
    },
  },
  { path: `${ENT}:manager`, expected: { path: { uri: ENT, attr: 'manager' } } },
  { path: `${ENT}:manager.value`, expected: { path: { uri: ENT, attr: 'manager', sub: 'value' } } },
  { path: `${ENT}:employeeNumber`, expected: { path: { uri: ENT, attr: 'employeeNumber' } } },
  { path: ENT, expected: { path: { uri: ENT, attr: '' } } },
  { path: ENT.toUpperCase(), expected: { path: { uri: ENT.toUpperCase(), attr: '' } } },
  { path: CORE, expected: { path: { uri: CORE, attr: '' } } },
  { path: `${CORE}:userName`, expected: { path: { uri: CORE, attr: 'userName' } } },
  { path: `${CORE}:name.givenName`, expected: { path: { uri: CORE, attr: 'name', sub: 'givenName' } } },
  {
    path: `${CORE}:emails[type eq "work"].value`,
    expected: {
      path: { uri: CORE, attr: 'emails' },
      filter: { kind: 'compare', path: { attr: 'type' }, op: 'eq', value: 'work' },
      sub: 'value',
    },
  },
  {
    path: 'urn:example:params:custom:1.0:Thing',
    expected: { path: { uri: 'urn:example:params:custom:1.0:Thing', attr: '' } },
  },
  { path: 'members.$ref', expected: { path: { attr: 'members', sub: '$ref' } } },
];

describe('parsePatchPath: valid paths', () => {
  it.each(valid)('$path', ({ path, expected }) => {
    expect(parsePatchPath(path)).toEqual(expected);
  });
});

const invalid: { path: string; message: RegExp }[] = [
  { path: '', message: /the path is empty/ },
  { path: '   ', message: /the path is empty/ },
  { path: 'foo[[', message: /position 5: expected an attribute name, found "\["/ },
  { path: 'emails[type eq]', message: /position 15: expected a value after "type eq"/ },
  { path: 'emails[type eq "work"', message: /"\]" to close the "\[" at position 7/ },
  { path: 'emails[]', message: /expected an attribute name, found "\]"/ },
  { path: 'emails[type eq "work"]]', message: /only "\.subAttribute" may follow/ },
  { path: 'emails[type eq "work"].', message: /expected a sub-attribute name/ },
  { path: 'emails[type eq "work"].value.x', message: /expected a sub-attribute name/ },
  { path: 'emails[type eq "work"].value eq "x"', message: /only "\.subAttribute" may follow; found "eq"/ },
  { path: 'emails[value[type eq 1]]', message: /value filters cannot be nested/ },
  { path: 'name..x', message: /position 6: expected an attribute name .* empty name/ },
  { path: 'name.', message: /empty name/ },
  { path: 'name.a.b', message: /at most one "\."/ },
  { path: 'members foo', message: /position 9: expected "\[", "\." or the end of the path; found "foo"/ },
  { path: 'members)', message: /found "\)"/ },
  { path: 'name.givenName[value eq 1]', message: /not the sub-attribute "name.givenName"/ },
  { path: `${ENT}[value eq 1]`, message: /not the schema/ },
  { path: '"userName"', message: /expected an attribute name/ },
  { path: 'foo:bar', message: /":" may only appear in a schema URN/ },
  { path: `${ENT}:`, message: /expected an attribute name after the schema URN/ },
  { path: 'emails[type eq "abc]', message: /unterminated string/ },
  { path: 'x'.repeat(10_001), message: /limit is 10000/ },
];

describe('parsePatchPath: invalid paths → invalidPath', () => {
  it.each(invalid)('$path', ({ path, message }) => {
    let error: unknown;
    try {
      parsePatchPath(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScimRequestError);
    const scimError = error as ScimRequestError;
    expect(scimError.scimType).toBe('invalidPath');
    expect(scimError.status).toBe(400);
    expect(scimError.message).toMatch(/^Invalid path/);
    expect(scimError.message).toMatch(message);
  });
});
