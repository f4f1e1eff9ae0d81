/**
 * Group membership PATCHes become member additions and removals rather than a rewritten member list,
 * because apps manage members one call at a time and a group can be large: an Entra "add u1" must cost one
 * app call, not a read of every member. Only a replace of the whole list, a "remove all" or a filter
 * that is not a plain list of ids needs the app's current members.
 */
import { ScimRequestError } from '../errors.ts';
import type { Filter } from '../scim/filter/ast.ts';
import { matchesFilter } from '../scim/filter/evaluate.ts';
import type { PatchOperation } from '../scim/patch/apply.ts';
import { parsePatchPath } from '../scim/path/parse-path.ts';
import { isMembersPath } from '../scim/schema/canonical.ts';
import { groupResourceType } from '../scim/schema/core-schemas.ts';

export interface MemberChange {
  op: PatchOperation['op'];
  /** Ids named by the value (or by a `value eq` filter), when there are any. */
  values: string[];
  /** The display names the client gave with the ids, read back as written. */
  displays?: Record<string, string>;
  filter?: Filter;
  whole: boolean;
}

/** Ids in a member value: [{value}], {value}, "id", or a list of strings (Microsoft's collection sends each form). */
export function memberValues(value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  const out: string[] = [];
  for (const item of list) {
    const id = typeof item === 'object' && item !== null ? (item as Record<string, unknown>).value : item;
    if (typeof id === 'string' && id !== '') out.push(id);
    else if (typeof id === 'number') out.push(String(id));
  }
  return out;
}

/** Display names given with member ids: [{ value, display }] (Microsoft's collection also says displayName). */
export function memberDisplays(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of Array.isArray(value) ? value : [value]) {
    if (typeof item !== 'object' || item === null) continue;
    const entry = item as Record<string, unknown>;
    const display = entry.display ?? entry.displayName;
    if (
      (typeof entry.value === 'string' || typeof entry.value === 'number') &&
      typeof display === 'string' &&
      display !== ''
    )
      out[String(entry.value)] = display;
  }
  return out;
}

/** `value eq "a" or value eq "b"` → ["a", "b"]; undefined for any other filter shape. */
function idsOf(filter: Filter): string[] | undefined {
  if (filter.kind === 'or') {
    const left = idsOf(filter.left);
    const right = idsOf(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.attr.toLowerCase() === 'value' &&
    !filter.path.sub &&
    filter.value !== null
  ) {
    return [String(filter.value)];
  }
  return undefined;
}

/** A PATCH without a path carries attributes by name: `members` among them is a membership change. */
function splitPathless(operation: PatchOperation): { memberChanges: MemberChange[]; rest?: PatchOperation } {
  const value = operation.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { memberChanges: [], rest: operation };
  const memberChanges: MemberChange[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (isMembersPath(groupResourceType, key))
      memberChanges.push({ op: operation.op, values: memberValues(item), displays: memberDisplays(item), whole: true });
    else rest[key] = item;
  }
  return { memberChanges, ...(Object.keys(rest).length ? { rest: { ...operation, value: rest } } : {}) };
}

/** Splits a PATCH into membership changes and everything else. */
export function splitMemberOperations(operations: PatchOperation[]): {
  members: MemberChange[];
  others: PatchOperation[];
} {
  const members: MemberChange[] = [];
  const others: PatchOperation[] = [];
  for (const operation of operations) {
    if (operation.path === undefined) {
      const { memberChanges, rest } = splitPathless(operation);
      members.push(...memberChanges);
      if (rest) others.push(rest);
      continue;
    }
    if (!isMembersPath(groupResourceType, operation.path)) {
      others.push(operation);
      continue;
    }
    const parsed = parsePatchPath(operation.path);
    // "members.display", "members[…].$ref": apps store none of these; never read one as a member list.
    const sub = parsed.sub ?? parsed.path.sub;
    if (sub && sub.toLowerCase() !== 'value') continue;
    if (parsed.filter) {
      const ids = idsOf(parsed.filter);
      members.push({ op: operation.op, values: ids ?? [], ...(ids ? {} : { filter: parsed.filter }), whole: false });
    } else {
      members.push({
        op: operation.op,
        values: memberValues(operation.value),
        displays: memberDisplays(operation.value),
        whole: true,
      });
    }
  }
  return { members, others };
}

/** True when applying the changes needs the group's current member list. */
export function needsCurrentMembers(changes: MemberChange[]): boolean {
  return changes.some(
    (change) =>
      change.filter !== undefined ||
      (change.whole && (change.op === 'replace' || (change.op === 'remove' && change.values.length === 0))),
  );
}

function matches(filter: Filter, id: string): boolean {
  return matchesFilter(
    { kind: 'valuePath', path: { attr: 'members' }, filter },
    { members: [{ value: id }] },
    groupResourceType,
  );
}

/**
 * The ids to add and to remove, in the order the operations gave them. `current` is required when
 * needsCurrentMembers() says so.
 */
export function memberDelta(changes: MemberChange[], current?: readonly string[]): { add: string[]; remove: string[] } {
  // Last word wins per id: "add u1" then "remove u1" in one PATCH leaves u1 out.
  const intent = new Map<string, 'add' | 'remove'>();
  let members = current ? new Set(current) : undefined;
  const need = () => {
    if (!members) throw new ScimRequestError('invalidValue', 'This change to members needs the current member list');
    return members;
  };
  for (const change of changes) {
    if (change.op === 'add' || (change.op === 'replace' && !change.whole)) {
      for (const id of change.values) {
        intent.set(id, 'add');
        members?.add(id);
      }
    } else if (change.op === 'replace') {
      const wanted = new Set(change.values);
      for (const id of need()) if (!wanted.has(id)) intent.set(id, 'remove');
      for (const id of wanted) intent.set(id, 'add');
      members = wanted;
    } else {
      const targets = change.filter
        ? [...need()].filter((id) => matches(change.filter!, id))
        : change.values.length
          ? change.values
          : [...need()];
      for (const id of targets) {
        intent.set(id, 'remove');
        members?.delete(id);
      }
    }
  }
  const before = current ? new Set(current) : undefined;
  const add: string[] = [];
  const remove: string[] = [];
  for (const [id, action] of intent) {
    if (action === 'add' && !before?.has(id)) add.push(id);
    if (action === 'remove' && (!before || before.has(id))) remove.push(id);
  }
  return { add, remove };
}
