/** The demo app's records, in the snake_case shape its API speaks. */

export interface Office {
  street: string | null;
  city: string | null;
  region: string | null;
  zip: string | null;
  country: string | null;
  /** Free-form formatted address, independent of the structured parts. */
  label: string | null;
}

export type UserStatus = 'active' | 'inactive';

/** Everything a client may write on a user. */
export interface UserFields {
  user_name: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  full_name: string | null;
  display_name: string | null;
  job_title: string | null;
  preferred_language: string | null;
  phone_work: string | null;
  phone_mobile: string | null;
  fax: string | null;
  office: Office | null;
  external_ref: string | null;
  employee_no: string | null;
  department: string | null;
  manager_id: number | null;
  status: UserStatus;
  /** Role names, as apps with a role list keep them (no ids, no display names). */
  roles: string[];
  /** The app's customer-defined fields: any name, a text, number or boolean value. */
  custom_fields: Record<string, CustomValue>;
}

export type CustomValue = string | number | boolean;

/** What a create or PATCH body may carry: custom_fields is a partial update where null removes a field. */
export type UserInput = Omit<Partial<UserFields>, 'custom_fields'> & {
  custom_fields?: Record<string, CustomValue | null>;
};

/** custom_fields after `input` is applied to `current`. */
export function mergeCustomFields(
  current: Record<string, CustomValue>,
  input: Record<string, CustomValue | null>,
): Record<string, CustomValue> {
  const out = { ...current };
  for (const [name, value] of Object.entries(input)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}

export interface User extends UserFields {
  id: number;
  created_at: string;
  updated_at: string;
}

export interface TeamFields {
  name: string;
  description: string | null;
  external_ref: string | null;
}

export interface Team extends TeamFields {
  id: number;
  created_at: string;
  updated_at: string;
}

export interface Membership {
  team_id: number;
  user_id: number;
  added_at: string;
}

/** Nullable string fields of a user, in output order (user_name and office are handled apart). */
export const USER_STRING_FIELDS = [
  'email',
  'first_name',
  'last_name',
  'full_name',
  'display_name',
  'job_title',
  'preferred_language',
  'phone_work',
  'phone_mobile',
  'fax',
] as const;

export const USER_REF_FIELDS = ['external_ref', 'employee_no', 'department'] as const;

export const OFFICE_FIELDS = ['street', 'city', 'region', 'zip', 'country', 'label'] as const;

/** A user with every optional field defaulted (null, or "active" for status). */
export function newUser(id: number, fields: UserInput & { user_name: string }, stamp: string): User {
  const user = { id, user_name: fields.user_name } as User;
  for (const key of USER_STRING_FIELDS) user[key] = fields[key] ?? null;
  user.office = fields.office ?? null;
  for (const key of USER_REF_FIELDS) user[key] = fields[key] ?? null;
  user.manager_id = fields.manager_id ?? null;
  user.status = fields.status ?? 'active';
  user.roles = fields.roles ?? [];
  user.custom_fields = mergeCustomFields({}, fields.custom_fields ?? {});
  user.created_at = stamp;
  user.updated_at = stamp;
  return user;
}

export interface UserFilter {
  user_name?: string;
  email?: string;
  external_ref?: string;
  /** Users created or changed at or after this time (epoch milliseconds). */
  updated_since?: number;
}

export interface TeamFilter {
  name?: string;
  external_ref?: string;
}

export interface Range {
  offset: number;
  limit: number;
}

export interface ListResult<T> {
  items: T[];
  total: number;
}

export interface StoreSnapshot {
  version: 1;
  next_user_id: number;
  next_team_id: number;
  users: User[];
  teams: Team[];
  memberships: Membership[];
}
