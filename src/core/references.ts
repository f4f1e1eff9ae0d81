/**
 * Reference attributes hold SCIM ids on the SCIM side and app ids on the app side. The enterprise
 * manager is translated here, in both directions, so connector mappings only ever see app ids.
 * (Group members are translated by group-members.ts.)
 */
import { URN } from '../scim/schema/urns.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { IdMap } from './id-map.ts';

type Json = Record<string, unknown>;

function managerOf(resource: ScimResource): Json | undefined {
  const enterprise = resource[URN.enterpriseUser];
  if (!enterprise || typeof enterprise !== 'object') return undefined;
  const manager = (enterprise as Json).manager;
  return manager && typeof manager === 'object' && typeof (manager as Json).value === 'string'
    ? (manager as Json)
    : undefined;
}

function withManagerValue(resource: ScimResource, value: string | undefined): ScimResource {
  const enterprise = { ...(resource[URN.enterpriseUser] as Json) };
  if (value === undefined) delete enterprise.manager;
  else enterprise.manager = { value };
  const out = { ...resource };
  if (Object.keys(enterprise).length) out[URN.enterpriseUser] = enterprise;
  else delete out[URN.enterpriseUser];
  return out;
}

/**
 * SCIM → app: the manager's SCIM id becomes its app id. A manager the gateway does not know (not
 * provisioned yet, or deleted since) is left out of what the app receives; the client's value is still
 * kept and read back, so the user is not stuck on a reference that resolves later.
 */
export async function referencesToApp(idMap: IdMap, app: string, resource: ScimResource): Promise<ScimResource> {
  const manager = managerOf(resource);
  if (!manager) return resource;
  const record = await idMap.get(app, 'User', manager.value as string);
  return withManagerValue(resource, record?.appId ?? undefined);
}

/** App → SCIM: the manager's app id becomes its SCIM id; a manager the gateway never saw is left out. */
export async function referencesFromApp(idMap: IdMap, app: string, resource: ScimResource): Promise<ScimResource> {
  const manager = managerOf(resource);
  if (!manager) return resource;
  const records = await idMap.getByAppIds(app, 'User', [manager.value as string]);
  return withManagerValue(resource, records.get(manager.value as string)?.scimId);
}
