/**
 * The request bodies Entra sends (entra-profile.md §2), shared by the suites against the demo app
 * (helpers/stack.ts) and against live apps (live/helpers.ts).
 */
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export function patchBody(...operations: unknown[]) {
  return { schemas: [PATCH_OP], Operations: operations };
}

/** Entra's create-user body (entra-profile.md §2.1c). */
export function entraUser(userName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: `ext-${userName}`,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
    ...overrides,
  };
}
