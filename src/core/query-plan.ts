/**
 * How to answer a filtered query cheaply. Entra's queries are `userName eq`, `externalId eq`,
 * `displayName eq`, `id eq … and manager eq …` and `emails[type eq "work"].value eq`; the first ones are
 * answered from the IdMap's indexes, the rest pushed down to the app's own search when the connector
 * declares one, and anything else is evaluated by the gateway over a bounded scan.
 */
import type { Filter } from '../scim/filter/ast.ts';
import { formatAttrPath } from '../scim/filter/ast.ts';
import { resolveAttribute } from '../scim/schema/resolve.ts';
import type { ResourceTypeDef } from '../scim/schema/types.ts';
import type { PushdownFilter } from './app-connector.ts';

export type Plan =
  | { kind: 'id'; id: string }
  | { kind: 'key'; value: string }
  | { kind: 'externalId'; value: string }
  | { kind: 'scan' };

/** The terms every match must satisfy: the top-level `and` chain. */
export function conjuncts(filter: Filter): Filter[] {
  return filter.kind === 'and' ? [...conjuncts(filter.left), ...conjuncts(filter.right)] : [filter];
}

function canonical(
  resourceType: ResourceTypeDef,
  path: { uri?: string; attr: string; sub?: string },
): string | undefined {
  const resolved = resolveAttribute(resourceType, formatAttrPath(path));
  if (!resolved?.attribute) return undefined;
  const name = resolved.sub ? `${resolved.attribute.name}.${resolved.sub.name}` : resolved.attribute.name;
  return resolved.extension ? `${resolved.schema.id}:${name}` : name;
}

function eqString(term: Filter, resourceType: ResourceTypeDef, attribute: string): string | undefined {
  if (term.kind !== 'compare' || term.op !== 'eq' || term.value === null || typeof term.value === 'boolean')
    return undefined;
  return canonical(resourceType, term.path) === attribute ? String(term.value) : undefined;
}

export function planQuery(filter: Filter | undefined, resourceType: ResourceTypeDef): Plan {
  if (!filter) return { kind: 'scan' };
  const terms = conjuncts(filter);
  const keyAttribute = resourceType.name === 'User' ? 'userName' : 'displayName';
  for (const [attribute, kind] of [
    ['id', 'id'],
    [keyAttribute, 'key'],
    ['externalId', 'externalId'],
  ] as const) {
    for (const term of terms) {
      const value = eqString(term, resourceType, attribute);
      if (value === undefined) continue;
      return kind === 'id' ? { kind, id: value } : { kind, value };
    }
  }
  return { kind: 'scan' };
}

/**
 * The pushdown candidates in a filter: each top-level term as (attribute text, op, value), including
 * Entra's `emails[type eq "work"].value eq "x"` as `emails[type eq "work"].value`.
 */
export function pushdownCandidates(filter: Filter | undefined, resourceType: ResourceTypeDef): PushdownFilter[] {
  if (!filter) return [];
  const out: PushdownFilter[] = [];
  for (const term of conjuncts(filter)) {
    if (
      term.kind === 'compare' &&
      (term.op === 'eq' || term.op === 'co' || term.op === 'sw' || term.op === 'ew') &&
      term.value !== null
    ) {
      const attribute = canonical(resourceType, term.path);
      if (attribute) out.push({ attribute, op: term.op, value: String(term.value) });
    } else if (term.kind === 'valuePath' && term.filter.kind === 'and') {
      const { left, right } = term.filter;
      if (left.kind !== 'compare' || left.op !== 'eq' || typeof left.value !== 'string') continue;
      if (right.kind !== 'compare' || right.value === null || !['eq', 'co', 'sw', 'ew'].includes(right.op)) continue;
      const attribute = canonical(resourceType, term.path);
      if (!attribute) continue;
      out.push({
        attribute: `${attribute}[${left.path.attr} eq ${JSON.stringify(left.value)}].${right.path.attr}`,
        op: right.op as PushdownFilter['op'],
        value: String(right.value),
      });
    }
  }
  return out;
}
