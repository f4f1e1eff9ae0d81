/**
 * Schema-aware validation and evaluation of parsed filters (RFC 7644 §3.4.2.2, RFC 7643 §2).
 *
 * `compileFilter` resolves every attribute once (case-insensitively, via `schema/canonical.ts`: names no
 * schema declares compare as strings against the values kept for them), throws invalidFilter for
 * malformed names and unknown sub-attributes of declared attributes, and returns a pure predicate. Semantics:
 * - a comparison on a multi-valued attribute matches when ANY element matches; inside "[…]" all
 *   conditions must hold on the same element;
 * - a complex attribute compared without a sub-attribute ("manager eq x", "emails co y", "members eq z")
 *   compares its `value` sub-attribute;
 * - `ne` is not(eq), so it is true when the attribute is absent; `eq null` is "not present", `ne null` "present";
 * - `pr`: present, not null, not "", not []; a complex value counts when any sub-attribute has a value.
 */
import { ScimRequestError } from '../../errors.ts';
import { resolvePath } from '../schema/canonical.ts';
import { container, findAttribute, readAttribute, type ResolvedAttribute } from '../schema/resolve.ts';
import type { AttributeDef, ResourceTypeDef, ScimResource } from '../schema/types.ts';
import { formatAttrPath, type AttrPath, type CompareOp, type CompValue, type Filter } from './ast.ts';
import { buildValueTest } from './compare.ts';

type Obj = Record<string, unknown>;
type Predicate = (context: Obj) => boolean;

/** Where paths resolve: the resource, or the elements of a complex attribute (inside "[…]"). */
type Scope =
  { kind: 'resource'; resourceType: ResourceTypeDef } | { kind: 'element'; parent: AttributeDef; parentLabel: string };

interface Target {
  label: string;
  attribute: AttributeDef;
  sub: AttributeDef | undefined;
  /** The attribute's raw value in the context object. */
  read: (context: Obj) => unknown;
}

/** Throws invalidFilter for names that cannot be resolved, and for gt/ge/lt/le on boolean or binary attributes. */
export function validateFilter(filter: Filter, resourceType: ResourceTypeDef): void {
  compile(filter, { kind: 'resource', resourceType });
}

/** Pure predicate over a SCIM resource (core attributes top-level, extension attributes under their URN key). */
export function matchesFilter(filter: Filter, resource: ScimResource, resourceType: ResourceTypeDef): boolean {
  return compileFilter(filter, resourceType)(resource);
}

/** Returns a predicate; validates once. */
export function compileFilter(filter: Filter, resourceType: ResourceTypeDef): (resource: ScimResource) => boolean {
  const predicate = compile(filter, { kind: 'resource', resourceType });
  return (resource) => isObject(resource) && predicate(resource);
}

function fail(detail: string): never {
  throw new ScimRequestError('invalidFilter', `Invalid filter: ${detail}`);
}

function compile(filter: Filter, scope: Scope): Predicate {
  switch (filter.kind) {
    case 'and': {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (context) => left(context) && right(context);
    }
    case 'or': {
      const left = compile(filter.left, scope);
      const right = compile(filter.right, scope);
      return (context) => left(context) || right(context);
    }
    case 'not': {
      const inner = compile(filter.filter, scope);
      return (context) => !inner(context);
    }
    case 'present':
      return presence(resolveTarget(filter.path, scope));
    case 'compare':
      return compileComparison(resolveTarget(filter.path, scope), filter.op, filter.value);
    case 'valuePath':
      return compileValuePath(filter.path, filter.filter, scope);
    default:
      return fail(`unsupported expression ${JSON.stringify((filter as { kind?: unknown }).kind)}`);
  }
}

function compileValuePath(path: AttrPath, inner: Filter, scope: Scope): Predicate {
  if (scope.kind === 'element')
    fail(`value filters cannot be nested: "${formatAttrPath(path)}[…]" is inside "${scope.parentLabel}[…]"`);
  const target = resolveTarget(path, scope);
  if (target.sub) fail(`a value filter "[…]" must follow an attribute name, not the sub-attribute "${target.label}"`);
  const { attribute } = target;
  if (attribute.type !== 'complex' || !attribute.subAttributes?.length) {
    fail(`"${target.label}" is not a complex attribute, so "${target.label}[…]" has no sub-attributes to filter on`);
  }
  const predicate = compile(inner, { kind: 'element', parent: attribute, parentLabel: target.label });
  return (context) => toList(target.read(context)).some((element) => isObject(element) && predicate(element));
}

function resolveTarget(path: AttrPath, scope: Scope): Target {
  const label = formatAttrPath(path);
  let attribute: AttributeDef;
  let read: (context: Obj) => unknown;
  if (scope.kind === 'resource') {
    const { resourceType } = scope;
    const resolved = resolveUnqualified(resourceType, path);
    if (!resolved) fail(`unknown attribute "${label}": the ${resourceType.name} resource type does not define it`);
    if (!resolved.attribute) {
      fail(
        `"${label}" names the whole schema ${resolved.schema.id}; name one of its attributes, e.g. "${resolved.schema.id}:${resolved.schema.attributes[0]?.name ?? 'attribute'}"`,
      );
    }
    const found = resolved.attribute;
    attribute = found;
    read = (context) => readAttribute(context, resolved) ?? looseGet(container(context, resolved), found.name);
  } else {
    const { parent, parentLabel } = scope;
    if (path.uri !== undefined) {
      fail(
        `inside "${parentLabel}[…]", name sub-attributes of "${parentLabel}" without a schema URN, found "${label}"`,
      );
    }
    const found = findAttribute(parent.subAttributes, path.attr);
    if (!found) fail(`"${parentLabel}" has no sub-attribute "${path.attr}"; it has ${names(parent)}`);
    attribute = found;
    read = (context) => looseGet(context, found.name);
  }
  let sub: AttributeDef | undefined;
  if (path.sub !== undefined) {
    sub = findAttribute(attribute.subAttributes, path.sub);
    if (!sub) {
      fail(
        attribute.subAttributes?.length
          ? `"${attribute.name}" has no sub-attribute "${path.sub}"; it has ${names(attribute)}`
          : `"${attribute.name}" is not a complex attribute, so "${label}" names nothing`,
      );
    }
  }
  return { label, attribute, sub, read };
}

/**
 * Entra's unqualified extension names ("manager") resolve too, and so do attributes no schema declares:
 * Entra may match users on a custom attribute the admin never declared, and such values are kept.
 */
function resolveUnqualified(resourceType: ResourceTypeDef, path: AttrPath): ResolvedAttribute | undefined {
  return resolvePath(resourceType, formatAttrPath(path, false));
}

/** The values a path selects: elements of a multi-valued attribute, or each element's sub-attribute. */
function selected(target: Target, context: Obj): unknown[] {
  const values = toList(target.read(context));
  const { sub } = target;
  if (!sub) return values;
  return values.flatMap((element) => (isObject(element) ? toList(looseGet(element, sub.name)) : []));
}

function presence(target: Target): Predicate {
  return (context) => selected(target, context).some(hasValue);
}

function compileComparison(target: Target, op: CompareOp, value: CompValue): Predicate {
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') fail(`null can only be compared with eq or ne (in "${target.label} ${op} null")`);
    const present = presence(target);
    return op === 'eq' ? (context) => !present(context) : present;
  }
  let leaf = target.sub ?? target.attribute;
  let candidates = (context: Obj): unknown[] => selected(target, context);
  if (!target.sub && target.attribute.type === 'complex') {
    const valueDef = findAttribute(target.attribute.subAttributes, 'value');
    if (!valueDef) {
      const example = target.attribute.subAttributes?.[0]?.name ?? 'subAttribute';
      fail(
        `"${target.label}" is complex and has no "value" sub-attribute; compare one of its sub-attributes, e.g. "${target.label}.${example}"`,
      );
    }
    leaf = valueDef;
    // Primitive elements (a manager stored as a bare id) stand for their own value.
    candidates = (context) =>
      selected(target, context).flatMap((element) =>
        isObject(element) ? toList(looseGet(element, valueDef.name)) : [element],
      );
  }
  if (
    (op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') &&
    (leaf.type === 'boolean' || leaf.type === 'binary')
  ) {
    fail(`"${target.label}" is a ${leaf.type} attribute; gt, ge, lt and le are not defined for it (use eq or ne)`);
  }
  const test = buildValueTest(op === 'ne' ? 'eq' : op, value, leaf);
  const matches: Predicate = (context) => candidates(context).some(test);
  return op === 'ne' ? (context) => !matches(context) : matches;
}

function names(attribute: AttributeDef): string {
  return (attribute.subAttributes ?? []).map((sub) => sub.name).join(', ');
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** obj[name], falling back to a case-insensitive key match. */
function looseGet(object: Obj | undefined, name: string): unknown {
  if (!object) return undefined;
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) return object[key];
  return undefined;
}

function hasValue(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(hasValue);
  if (isObject(value)) return Object.values(value).some(hasValue);
  return true;
}
