/**
 * What provisioning tells the operator about, without failing the request: attributes Entra writes that
 * the app does not hold (kept and read back, but never sent), and member ids that name no user the
 * gateway knows (skipped). Names and SCIM ids only, never values. The composition root turns these into
 * log lines, metrics and the status page.
 */
import type { ResourceKind } from './id-map.ts';

export interface ProvisioningEvents {
  unmappedAttributes(kind: ResourceKind, names: readonly string[]): void;
  unknownMembers(groupScimId: string | undefined, memberScimIds: readonly string[]): void;
}

export const quietEvents: ProvisioningEvents = {
  unmappedAttributes() {},
  unknownMembers() {},
};
