/**
 * Applying membership changes to the app and reading the current members. Changes go in the largest
 * batches the connector allows (one call per member without a bulk call), and each batch that succeeds
 * is recorded as progress, so when the request runs out of time the retry sends only the rest (see
 * member-progress.ts) and the 503 says how long the rest will take.
 */
import { NotSupportedError, UnavailableError } from '../errors.ts';
import type { ScimResource } from '../scim/schema/types.ts';
import type { CallContext } from './app-connector.ts';
import type { CoreContext } from './context.ts';
import { memberValues } from './group-members.ts';
import type { MemberAction } from './member-progress.ts';

export async function currentMembers(
  core: CoreContext,
  groupAppId: string,
  baseMembers: unknown,
  context: CallContext,
): Promise<string[]> {
  const live = await core.views.members(groupAppId, context, baseMembers);
  return live ? live.map((member) => String(member.value)) : memberValues(baseMembers);
}

export interface MemberDelta {
  add: string[];
  remove: string[];
}

export interface GroupRef {
  appId: string;
  /** Set for an existing group: its progress is read and recorded. */
  scimId?: string;
}

interface Planned {
  /** Changes to send, with the members' app ids. */
  send: Record<MemberAction, { scimId: string; appId: string }[]>;
  /** Changes an unfinished earlier write already applied. */
  done: Record<MemberAction, string[]>;
}

async function plan(core: CoreContext, group: GroupRef, delta: MemberDelta): Promise<Planned> {
  const progress = group.scimId
    ? await core.memberProgress.get(core.app, group.scimId)
    : new Map<string, MemberAction>();
  const planned: Planned = { send: { add: [], remove: [] }, done: { add: [], remove: [] } };
  const unknown: string[] = [];
  for (const action of ['add', 'remove'] as const) {
    for (const scimId of delta[action]) {
      if (progress.get(scimId) === action) {
        planned.done[action].push(scimId);
        continue;
      }
      const member = await core.idMap.get(core.app, 'User', scimId);
      if (member?.appId) planned.send[action].push({ scimId, appId: member.appId });
      else unknown.push(scimId);
    }
  }
  // Never recorded as members; answered 2xx all the same (Microsoft's collection adds "string id 1").
  if (unknown.length) core.events.unknownMembers(group.scimId, unknown);
  return planned;
}

function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < list.length; index += size) out.push(list.slice(index, index + size));
  return out;
}

/** Adds and removes members (SCIM ids); returns the ids now added and removed. Unknown ids are skipped. */
export async function applyMembers(
  core: CoreContext,
  group: GroupRef,
  delta: MemberDelta,
  context: CallContext,
): Promise<MemberDelta> {
  if (!delta.add.length && !delta.remove.length) return { add: [], remove: [] };
  if (!core.connector.hasMembers()) throw new NotSupportedError('This app does not manage group members');
  const { send, done } = await plan(core, group, delta);
  const batches = (['add', 'remove'] as const).flatMap((action) =>
    chunks(send[action], core.connector.memberBatchSize(action)).map((batch) => ({ action, batch })),
  );
  const applied: MemberDelta = { add: [...done.add], remove: [...done.remove] };
  for (const [index, { action, batch }] of batches.entries()) {
    try {
      await core.connector.changeMembers(
        action,
        group.appId,
        batch.map((member) => member.appId),
        context,
      );
    } catch (error) {
      if (!(error instanceof UnavailableError)) throw error;
      const left = batches.length - index;
      const total = delta.add.length + delta.remove.length;
      const sent = applied.add.length + applied.remove.length;
      throw new UnavailableError(
        `Applied ${sent} of ${total} member changes before the time ran out; a retry sends only the rest`,
        Math.max(error.retryAfter ?? 1, core.connector.estimateMs(left) / 1000),
        { cause: error },
      );
    }
    const ids = batch.map((member) => member.scimId);
    if (group.scimId) await core.memberProgress.record(core.app, group.scimId, action, ids);
    applied[action].push(...ids);
  }
  return applied;
}

export function memberEntries(ids: string[], displays: Record<string, string>): ScimResource[] {
  return ids.map((value) => (displays[value] ? { value, display: displays[value] } : { value }));
}
