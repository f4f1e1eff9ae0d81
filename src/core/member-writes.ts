/** Applying membership changes to the app, one call per member, and reading the current members. */
import { NotSupportedError } from '../errors.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { CallContext } from './app-connector.ts';
import type { CoreContext } from './context.ts';
import { memberValues } from './group-members.ts';

export async function currentMembers(core: CoreContext, groupAppId: string, baseMembers: unknown, context: CallContext): Promise<string[]> {
  const live = await core.views.members(groupAppId, context, baseMembers);
  return live ? live.map((member) => String(member.value)) : memberValues(baseMembers);
}

/** Adds or removes members (SCIM ids); returns the ids applied. Ids the gateway does not know are skipped. */
export async function applyMembers(core: CoreContext, groupAppId: string, delta: { add: string[]; remove: string[] }, context: CallContext): Promise<string[]> {
  const applied: string[] = [];
  for (const [action, ids] of [['add', delta.add], ['remove', delta.remove]] as const) {
    if (!ids.length) continue;
    if (!core.connector.hasMembers()) throw new NotSupportedError('This app does not manage group members');
    for (const id of ids) {
      const member = await core.idMap.get(core.app, 'User', id);
      if (!member?.appId) continue;
      await core.connector.changeMember(action, groupAppId, member.appId, context);
      applied.push(id);
    }
  }
  return applied;
}

export function memberEntries(ids: string[], displays: Record<string, string>): ScimResource[] {
  return ids.map((value) => (displays[value] ? { value, display: displays[value] } : { value }));
}
