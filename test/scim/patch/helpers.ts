import { expect } from 'vitest';
import { GatewayError, ScimRequestError, type ScimType } from '../../../src/errors.ts';
import type { ScimResource } from '../../../src/scim/schema/types.ts';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A deep copy of `base` changed by `change`: expectations read as "the base, except …". */
export function edit(base: ScimResource, change: (copy: ScimResource & Record<string, any>) => void): ScimResource {
  const copy = structuredClone(base) as ScimResource & Record<string, any>;
  change(copy);
  return copy;
}

/** A PatchOp message around raw operations, as a client would send it. */
export function patchBody(operations: unknown[]): Record<string, unknown> {
  return { schemas: [PATCH_OP], Operations: operations };
}

export interface ExpectedError {
  scimType: ScimType;
  status?: number;
}

/** Runs `action` and checks it throws a 400 ScimRequestError with the given scimType. */
export function expectScimError(action: () => unknown, expected: ExpectedError): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ScimRequestError').toBeInstanceOf(ScimRequestError);
  const error = thrown as GatewayError;
  expect({ scimType: error.scimType, status: error.status }).toEqual({
    scimType: expected.scimType,
    status: expected.status ?? 400,
  });
}
