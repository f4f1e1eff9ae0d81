/**
 * Turns untrusted request bodies into typed field sets. Only keys present in the body
 * come back, so the same parser serves create (then defaults fill the gaps) and PATCH.
 */
import { invalid } from './errors.ts';
import {
  OFFICE_FIELDS,
  USER_REF_FIELDS,
  USER_STRING_FIELDS,
  type CustomValue,
  type Office,
  type TeamFields,
  type UserInput,
} from './model.ts';

type Body = Record<string, unknown>;

function has(body: Body, key: string): boolean {
  return Object.hasOwn(body, key) && body[key] !== undefined;
}

function nullableString(value: unknown, field: string): string | null {
  if (value === null || typeof value === 'string') return value;
  throw invalid(field, `${field} must be a string or null`);
}

function requiredName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, `${field} must be a string`);
  if (value.trim() === '') throw invalid(field, `${field} must not be empty`);
  return value;
}

function office(value: unknown): Office | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('office', 'office must be an object or null');
  }
  const source = value as Body;
  const result = {} as Office;
  for (const key of OFFICE_FIELDS) {
    result[key] = has(source, key) ? nullableString(source[key], `office.${key}`) : null;
  }
  return result;
}

function roles(value: unknown): string[] {
  if (value === null) return [];
  if (!Array.isArray(value) || !value.every((role) => typeof role === 'string' && role.trim() !== '')) {
    throw invalid('roles', 'roles must be a list of non-empty strings');
  }
  return [...new Set(value as string[])];
}

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * custom_fields as sent: a partial update (the store merges it; a null value removes that field). Names
 * are the customer's own; values are scalars.
 */
function customFields(value: unknown): Record<string, CustomValue | null> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid('custom_fields', 'custom_fields must be an object');
  const out: Record<string, CustomValue | null> = {};
  for (const [name, field] of Object.entries(value as Body)) {
    if (!FIELD_NAME.test(name))
      throw invalid('custom_fields', `custom field names are letters, digits and "_" (got ${JSON.stringify(name)})`);
    if (field !== null && typeof field !== 'string' && typeof field !== 'number' && typeof field !== 'boolean') {
      throw invalid(`custom_fields.${name}`, `custom_fields.${name} must be a string, number, boolean or null`);
    }
    out[name] = field;
  }
  return out;
}

export function parseUserFields(body: Body, requireName: boolean): UserInput {
  const out: UserInput = {};
  if (has(body, 'user_name')) out.user_name = requiredName(body.user_name, 'user_name');
  else if (requireName) throw invalid('user_name', 'user_name is required');

  for (const key of [...USER_STRING_FIELDS, ...USER_REF_FIELDS]) {
    if (has(body, key)) out[key] = nullableString(body[key], key);
  }
  if (has(body, 'office')) out.office = office(body.office);
  if (has(body, 'manager_id')) {
    const value = body.manager_id;
    if (value !== null && !Number.isSafeInteger(value)) {
      throw invalid('manager_id', 'manager_id must be an integer or null');
    }
    out.manager_id = value as number | null;
  }
  if (has(body, 'roles')) out.roles = roles(body.roles);
  if (has(body, 'custom_fields')) out.custom_fields = customFields(body.custom_fields);
  if (has(body, 'status')) {
    if (body.status !== 'active' && body.status !== 'inactive') {
      throw invalid('status', 'status must be "active" or "inactive"');
    }
    out.status = body.status;
  }
  return out;
}

export function parseTeamFields(body: Body, requireName: boolean): Partial<TeamFields> {
  const out: Partial<TeamFields> = {};
  if (has(body, 'name')) out.name = requiredName(body.name, 'name');
  else if (requireName) throw invalid('name', 'name is required');
  if (has(body, 'description')) out.description = nullableString(body.description, 'description');
  if (has(body, 'external_ref')) out.external_ref = nullableString(body.external_ref, 'external_ref');
  return out;
}
