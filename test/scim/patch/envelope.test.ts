import { describe, expect, it } from 'vitest';
import { MAX_PATCH_OPERATIONS, parsePatchRequest, type PatchOperation } from '../../../src/scim/patch/apply.ts';
import { expectScimError, PATCH_OP, type ExpectedError } from './helpers.ts';

const valid: { name: string; body: unknown; expect: PatchOperation[] }[] = [
  {
    name: 'RFC form',
    body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'Babs' }] },
    expect: [{ op: 'add', path: 'nickName', value: 'Babs' }],
  },
  {
    name: 'op in any case',
    body: {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Add', path: 'a', value: 1 },
        { op: 'Replace', path: 'b', value: 2 },
        { op: 'REMOVE', path: 'c' },
      ],
    },
    expect: [
      { op: 'add', path: 'a', value: 1 },
      { op: 'replace', path: 'b', value: 2 },
      { op: 'remove', path: 'c' },
    ],
  },
  {
    name: 'extra keys on an operation are ignored (Entra sends "name":"addMember")',
    body: {
      schemas: [PATCH_OP],
      Operations: [{ name: 'addMember', op: 'Add', path: 'members', value: [{ value: 'u1' }] }],
    },
    expect: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }],
  },
  {
    name: 'lower-case "operations" key',
    body: { schemas: [PATCH_OP], operations: [{ op: 'remove', path: 'title' }] },
    expect: [{ op: 'remove', path: 'title' }],
  },
  {
    name: 'keys of the message and operations in any case',
    body: { Schemas: [PATCH_OP.toLowerCase()], OPERATIONS: [{ Op: 'replace', Path: 'title', Value: 't' }] },
    expect: [{ op: 'replace', path: 'title', value: 't' }],
  },
  {
    name: 'other schemas alongside PatchOp',
    body: { schemas: ['urn:example:other', PATCH_OP], Operations: [{ op: 'remove', path: 'title' }] },
    expect: [{ op: 'remove', path: 'title' }],
  },
  {
    name: 'no path, null path and blank path all mean "no path"',
    body: {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { title: 't' } },
        { op: 'replace', path: null, value: { title: 't' } },
        { op: 'replace', path: '  ', value: { title: 't' } },
      ],
    },
    expect: [
      { op: 'replace', value: { title: 't' } },
      { op: 'replace', value: { title: 't' } },
      { op: 'replace', value: { title: 't' } },
    ],
  },
  {
    name: 'an explicit null value is kept (it clears); a missing value stays missing',
    body: {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'title', value: null },
        { op: 'remove', path: 'title' },
      ],
    },
    expect: [
      { op: 'replace', path: 'title', value: null },
      { op: 'remove', path: 'title' },
    ],
  },
  {
    name: 'the path is trimmed',
    body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: ' title ' }] },
    expect: [{ op: 'remove', path: 'title' }],
  },
];

const invalid: { name: string; body: unknown; error: ExpectedError }[] = [
  { name: 'not an object', body: [], error: { scimType: 'invalidSyntax' } },
  { name: 'null body', body: null, error: { scimType: 'invalidSyntax' } },
  {
    name: 'missing schemas',
    body: { Operations: [{ op: 'remove', path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'wrong schema',
    body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [{ op: 'remove', path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'schemas as a string',
    body: { schemas: PATCH_OP, Operations: [{ op: 'remove', path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'empty schemas',
    body: { schemas: [], Operations: [{ op: 'remove', path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  { name: 'Operations missing', body: { schemas: [PATCH_OP] }, error: { scimType: 'invalidSyntax' } },
  { name: 'Operations empty', body: { schemas: [PATCH_OP], Operations: [] }, error: { scimType: 'invalidSyntax' } },
  {
    name: 'Operations not an array',
    body: { schemas: [PATCH_OP], Operations: { op: 'remove', path: 'title' } },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'too many operations',
    body: {
      schemas: [PATCH_OP],
      Operations: Array.from({ length: MAX_PATCH_OPERATIONS + 1 }, () => ({ op: 'remove', path: 'title' })),
    },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'an operation that is not an object',
    body: { schemas: [PATCH_OP], Operations: ['remove'] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'unknown op',
    body: { schemas: [PATCH_OP], Operations: [{ op: 'move', path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'missing op',
    body: { schemas: [PATCH_OP], Operations: [{ path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'op not a string',
    body: { schemas: [PATCH_OP], Operations: [{ op: 1, path: 'title' }] },
    error: { scimType: 'invalidSyntax' },
  },
  {
    name: 'path not a string',
    body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 5 }] },
    error: { scimType: 'invalidPath' },
  },
];

describe('parsePatchRequest accepts', () => {
  it.each(valid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(parsePatchRequest(c.body)).toStrictEqual(c.expect);
  });
  it('exactly the maximum number of operations', () => {
    const body = {
      schemas: [PATCH_OP],
      Operations: Array.from({ length: MAX_PATCH_OPERATIONS }, () => ({ op: 'remove', path: 'title' })),
    };
    expect(parsePatchRequest(body)).toHaveLength(MAX_PATCH_OPERATIONS);
  });
});

describe('parsePatchRequest refuses', () => {
  it.each(invalid.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expectScimError(() => parsePatchRequest(c.body), c.error);
  });
});
