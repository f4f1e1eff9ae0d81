/**
 * The RFC 7644 §3.5.2 PatchOp message envelope. Lenient where Entra and Microsoft's collection differ
 * from the RFC (op in any case, "operations" in any case, extra keys such as "name":"addMember" on an
 * operation), strict where a guess could change data (unknown op, missing schema).
 */
import { ScimRequestError } from '../../errors.ts';
import { isObject, type JsonObject } from '../resource/normalize.ts';
import { URN } from '../schema/urns.ts';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  op: PatchOpName;
  path?: string;
  value?: unknown;
}

export const MAX_PATCH_OPERATIONS = 1000;

/** Validates the PatchOp message envelope and returns its operations with lower-cased op names. */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new ScimRequestError('invalidSyntax', 'The PATCH body must be a JSON object');
  const schemas = lookup(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === URN.patchOp.toLowerCase())
  ) {
    throw new ScimRequestError('invalidSyntax', `The PATCH body must list "${URN.patchOp}" in "schemas"`);
  }
  const operations = lookup(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new ScimRequestError('invalidSyntax', 'The PATCH body must have a non-empty "Operations" array');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw new ScimRequestError('invalidSyntax', `A PATCH may carry at most ${MAX_PATCH_OPERATIONS} operations`);
  }
  return operations.map((raw, index) => {
    if (!isObject(raw)) throw new ScimRequestError('invalidSyntax', `Operations[${index}] must be an object`);
    const op = lookup(raw, 'op');
    const name = typeof op === 'string' ? op.toLowerCase() : '';
    if (name !== 'add' && name !== 'replace' && name !== 'remove') {
      throw new ScimRequestError(
        'invalidSyntax',
        `Operations[${index}].op must be "add", "replace" or "remove", got ${JSON.stringify(op)}`,
      );
    }
    const path = lookup(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') {
      throw new ScimRequestError('invalidPath', `Operations[${index}].path must be a string`);
    }
    const operation: PatchOperation = { op: name };
    if (typeof path === 'string' && path.trim() !== '') operation.path = path.trim();
    if (hasKey(raw, 'value')) operation.value = lookup(raw, 'value');
    return operation;
  });
}

/** Case-insensitive own-key lookup: clients send "Operations", "operations", "Op"… */
function lookup(object: JsonObject, key: string): unknown {
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  for (const [candidate, value] of Object.entries(object)) if (candidate.toLowerCase() === lower) return value;
  return undefined;
}

function hasKey(object: JsonObject, key: string): boolean {
  return Object.keys(object).some((candidate) => candidate.toLowerCase() === key);
}
