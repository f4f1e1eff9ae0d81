import { describe, expect, it } from 'vitest';
import { ScimRequestError } from '../../../src/errors.ts';
import type { AttrPath, CompareOp, CompValue, Filter } from '../../../src/scim/filter/ast.ts';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter } from '../../../src/scim/filter/parse.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

function p(text: string): AttrPath {
  const colon = text.startsWith('urn:') ? text.lastIndexOf(':') : -1;
  const uri = colon === -1 ? undefined : text.slice(0, colon);
  const [attr = '', sub] = text.slice(colon + 1).split('.');
  const path: AttrPath = { attr };
  if (uri !== undefined) path.uri = uri;
  if (sub !== undefined) path.sub = sub;
  return path;
}
const cmp = (path: string, op: CompareOp, value: CompValue): Filter => ({ kind: 'compare', path: p(path), op, value });
const pr = (path: string): Filter => ({ kind: 'present', path: p(path) });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: string, filter: Filter): Filter => ({ kind: 'valuePath', path: p(path), filter });

const valid: { filter: string; ast: Filter }[] = [
  { filter: 'userName eq "bjensen"', ast: cmp('userName', 'eq', 'bjensen') },
  ...(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const).map((op) => ({
    filter: `title ${op.toUpperCase()} "x"`,
    ast: cmp('title', op, 'x'),
  })),
  { filter: 'USERNAME EQ "a"', ast: cmp('USERNAME', 'eq', 'a') },
  { filter: 'name.FamilyName Eq "O\'Malley"', ast: cmp('name.FamilyName', 'eq', "O'Malley") },
  { filter: 'title pr', ast: pr('title') },
  { filter: 'title PR', ast: pr('title') },
  { filter: '  title pr  ', ast: pr('title') },
  { filter: 'title\tpr', ast: pr('title') },
  // values
  { filter: 'displayName eq "say \\"hi\\" \\\\ \\/ \\u00e9\\n"', ast: cmp('displayName', 'eq', 'say "hi" \\ / é\n') },
  { filter: 'displayName eq "Group (1)"', ast: cmp('displayName', 'eq', 'Group (1)') },
  { filter: 'displayName eq "a and b"', ast: cmp('displayName', 'eq', 'a and b') },
  { filter: 'displayName eq "x] or [y"', ast: cmp('displayName', 'eq', 'x] or [y') },
  { filter: 'displayName eq ""', ast: cmp('displayName', 'eq', '') },
  { filter: 'x eq 42', ast: cmp('x', 'eq', 42) },
  { filter: 'x eq -3.5', ast: cmp('x', 'eq', -3.5) },
  { filter: 'x gt 1.5e3', ast: cmp('x', 'gt', 1500) },
  { filter: 'x lt 2E-2', ast: cmp('x', 'lt', 0.02) },
  { filter: 'active eq true', ast: cmp('active', 'eq', true) },
  { filter: 'active eq FALSE', ast: cmp('active', 'eq', false) },
  { filter: 'title eq Null', ast: cmp('title', 'eq', null) },
  { filter: 'active eq "True"', ast: cmp('active', 'eq', 'True') },
  // bare words (Entra / Microsoft's test collection)
  { filter: 'externalId eq jyoung', ast: cmp('externalId', 'eq', 'jyoung') },
  { filter: 'userName sw O', ast: cmp('userName', 'sw', 'O') },
  { filter: 'emails.Value co example.com', ast: cmp('emails.Value', 'co', 'example.com') },
  { filter: 'externalId eq 007', ast: cmp('externalId', 'eq', '007') },
  {
    filter: 'meta.Created gt 2015-10-10T14:38:21.8617979-07:00',
    ast: cmp('meta.Created', 'gt', '2015-10-10T14:38:21.8617979-07:00'),
  },
  {
    filter: 'name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)',
    ast: and(
      cmp('name.FamilyName', 'eq', 'Employee'),
      or(cmp('emails.Value', 'co', 'example.com'), cmp('emails.Value', 'co', 'example.org')),
    ),
  },
  {
    filter: 'id eq 54D382A4-2050-4C03-94D1-E769F1D15682 and manager eq 2819c223-7f76-453a-919d-413861904646',
    ast: and(
      cmp('id', 'eq', '54D382A4-2050-4C03-94D1-E769F1D15682'),
      cmp('manager', 'eq', '2819c223-7f76-453a-919d-413861904646'),
    ),
  },
  { filter: 'id eq "g1" and members eq "u1"', ast: and(cmp('id', 'eq', 'g1'), cmp('members', 'eq', 'u1')) },
  { filter: '(title eq x)', ast: cmp('title', 'eq', 'x') },
  // precedence and grouping
  { filter: 'a pr or b pr and c pr', ast: or(pr('a'), and(pr('b'), pr('c'))) },
  { filter: 'a pr and b pr or c pr', ast: or(and(pr('a'), pr('b')), pr('c')) },
  { filter: '(a pr or b pr) and c pr', ast: and(or(pr('a'), pr('b')), pr('c')) },
  { filter: 'a pr and b pr and c pr', ast: and(and(pr('a'), pr('b')), pr('c')) },
  { filter: 'a pr OR b pr Or c pr', ast: or(or(pr('a'), pr('b')), pr('c')) },
  { filter: 'not (a pr) and b pr', ast: and(not(pr('a')), pr('b')) },
  { filter: 'NOT(a pr or b pr)', ast: not(or(pr('a'), pr('b'))) },
  { filter: 'not   (not (a pr))', ast: not(not(pr('a'))) },
  { filter: '((a pr))', ast: pr('a') },
  { filter: 'a pr and(b pr)', ast: and(pr('a'), pr('b')) },
  { filter: 'not eq 1', ast: cmp('not', 'eq', 1) },
  { filter: 'andrew pr and orla pr', ast: and(pr('andrew'), pr('orla')) },
  // URN-prefixed paths
  { filter: `${ENT}:employeeNumber eq "701984"`, ast: cmp(`${ENT}:employeeNumber`, 'eq', '701984') },
  { filter: `${ENT}:manager.value eq "x"`, ast: cmp(`${ENT}:manager.value`, 'eq', 'x') },
  { filter: `${CORE}:name.givenName sw "B"`, ast: cmp(`${CORE}:name.givenName`, 'sw', 'B') },
  { filter: '$ref pr', ast: pr('$ref') },
  { filter: 'members.$ref pr', ast: pr('members.$ref') },
  // value paths
  { filter: 'emails[type eq "work"]', ast: vp('emails', cmp('type', 'eq', 'work')) },
  { filter: 'members[value eq "x"]', ast: vp('members', cmp('value', 'eq', 'x')) },
  {
    filter: 'emails[type eq "work" and value co "@example.com"]',
    ast: vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'))),
  },
  {
    filter: 'emails[not (type eq "work") or (primary eq true)] and userName pr',
    ast: and(vp('emails', or(not(cmp('type', 'eq', 'work')), cmp('primary', 'eq', true))), pr('userName')),
  },
  { filter: 'emails[value eq bare]', ast: vp('emails', cmp('value', 'eq', 'bare')) },
  { filter: 'emails[ type eq "work" ]', ast: vp('emails', cmp('type', 'eq', 'work')) },
  { filter: `${ENT}:manager[value eq "m"]`, ast: vp(`${ENT}:manager`, cmp('value', 'eq', 'm')) },
  // Entra's "emails[type eq "work"].value eq ..." matching form
  {
    filter: 'emails[type eq "work"].value eq "user@contoso.com"',
    ast: vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'user@contoso.com'))),
  },
  { filter: 'emails[type eq "work"].value pr', ast: vp('emails', and(cmp('type', 'eq', 'work'), pr('value'))) },
  ...(['ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const).map((op) => ({
    filter: `addresses[type eq work].postalCode ${op} 9`,
    ast: vp('addresses', and(cmp('type', 'eq', 'work'), cmp('postalCode', op, 9))),
  })),
];

describe('parseFilter: valid filters', () => {
  it.each(valid)('$filter', ({ filter, ast }) => {
    expect(parseFilter(filter)).toEqual(ast);
  });
});

const malformed: { filter: string; message: RegExp }[] = [
  { filter: '', message: /empty/ },
  { filter: '   ', message: /empty/ },
  { filter: 'userName eq', message: /position 12: expected a value after "userName eq"/ },
  { filter: 'userName eq ', message: /expected a value/ },
  { filter: '(userName eq)', message: /expected a value/ },
  {
    filter: 'userName xx "a"',
    message:
      /position 10: expected a comparison operator \(eq, ne, co, sw, ew, gt, ge, lt, le, pr\) after "userName", found "xx"/,
  },
  { filter: 'userName regex "x"', message: /found "regex"/ },
  { filter: 'userName', message: /expected a comparison operator .* found the end of the filter/ },
  { filter: 'userName=x', message: /after "userName", found "=x"/ },
  { filter: 'userName eq"x"', message: /expected a value/ },
  { filter: '(userName pr', message: /"\(" at position 1 is never closed/ },
  { filter: '((userName pr)', message: /never closed/ },
  { filter: 'userName pr)', message: /this "\)" has no matching "\("/ },
  { filter: 'emails[type eq "work"', message: /"\]" to close the "\[" at position 7/ },
  { filter: 'emails[type eq "work"]]', message: /this "\]" has no matching "\["/ },
  { filter: 'emails type eq "work"]', message: /expected a comparison operator/ },
  { filter: 'userName eq "abc', message: /position 13: unterminated string/ },
  { filter: 'userName eq "a\\qb"', message: /unknown escape "\\q"/ },
  { filter: 'userName eq "\\u12"', message: /four hex digits/ },
  {
    filter: 'userName eq "a" garbage',
    message: /position 17: expected "and", "or" or the end of the filter, found "garbage"/,
  },
  { filter: 'userName eq "a" and', message: /expected an attribute name, "\(" or "not", found the end/ },
  { filter: 'userName eq "a" or or b pr', message: /expected a comparison operator .* after "or"/ },
  { filter: 'and userName pr', message: /after "and"/ },
  { filter: 'emails[x[y eq 1]]', message: /value filters cannot be nested/ },
  { filter: 'emails[type eq "work"', message: /expected "and", "or" or "\]"/ },
  { filter: 'userName pr "x"', message: /"pr" takes no value; remove the string "x"/ },
  { filter: 'userName pr 5', message: /"pr" takes no value/ },
  { filter: 'not userName pr', message: /expected "\(" after "not"/ },
  { filter: 'not', message: /expected "\(" after "not"/ },
  { filter: '()', message: /expected an attribute name, found "\)"/ },
  { filter: '[type eq 1]', message: /expected an attribute name, found "\["/ },
  { filter: 'name..x eq 1', message: /empty name/ },
  { filter: 'name.a.b eq 1', message: /at most one "\."/ },
  { filter: '1abc eq 1', message: /expected an attribute name/ },
  { filter: 'foo:bar eq 1', message: /":" may only appear in a schema URN/ },
  {
    filter: 'urn:ietf:params:scim:schemas:core:2.0:User: eq 1',
    message: /expected an attribute name after the schema URN/,
  },
  { filter: 'name.givenName[value eq 1]', message: /must follow an attribute name, not the sub-attribute/ },
  { filter: 'emails[type eq "work"].', message: /expected a sub-attribute name/ },
  {
    filter: 'emails[type eq "work"].value',
    message: /expected a comparison operator .* after "emails\[type eq "work"\]\.value"/,
  },
  { filter: 'emails[type eq "work"] eq 1', message: /expected "and", "or" or the end of the filter, found "eq"/ },
];

describe('parseFilter: malformed filters → invalidFilter', () => {
  it.each(malformed)('$filter', ({ filter, message }) => {
    let error: unknown;
    try {
      parseFilter(filter);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ScimRequestError);
    const scimError = error as ScimRequestError;
    expect(scimError.scimType).toBe('invalidFilter');
    expect(scimError.status).toBe(400);
    expect(scimError.message).toMatch(/^Invalid filter/);
    expect(scimError.message).toMatch(message);
  });
});

describe('parseFilter: limits', () => {
  it('accepts nesting up to the limit', () => {
    const depth = MAX_FILTER_DEPTH - 1;
    expect(parseFilter(`${'('.repeat(depth)}a pr${')'.repeat(depth)}`)).toEqual(pr('a'));
  });

  it.each([
    ['parentheses', `${'('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`],
    ['not', `${'not ('.repeat(MAX_FILTER_DEPTH + 1)}a pr${')'.repeat(MAX_FILTER_DEPTH + 1)}`],
    ['hostile depth', '('.repeat(5000)],
  ])('rejects nesting deeper than the limit (%s)', (_name, filter) => {
    expect(() => parseFilter(filter)).toThrow(/more than 50 levels deep/);
  });

  it('rejects over-long input', () => {
    const filter = `userName eq "${'a'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(() => parseFilter(filter)).toThrow(ScimRequestError);
    expect(() => parseFilter(filter)).toThrow(/limit is 10000/);
  });

  it('handles a long flat and-chain within the length limit', () => {
    const filter = Array.from({ length: 1000 }, () => 'a pr').join(' and ');
    expect(filter.length).toBeLessThan(MAX_FILTER_LENGTH);
    expect(parseFilter(filter).kind).toBe('and');
  });
});
