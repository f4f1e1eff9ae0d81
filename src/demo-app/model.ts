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
export function newUser(id: number, fields: Partial<UserFields> & { user_name: string }, stamp: string): User {
  const user = { id, user_name: fields.user_name } as User;
  for (const key of USER_STRING_FIELDS) user[key] = fields[key] ?? null;
  user.office = fields.office ?? null;
  for (const key of USER_REF_FIELDS) user[key] = fields[key] ?? null;
  user.manager_id = fields.manager_id ?? null;
  user.status = fields.status ?? 'active';
  user.created_at = stamp;
  user.updated_at = stamp;
  return user;
}

export interface UserFilter {
  user_name?: string;
  email?: string;
  external_ref?: string;
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
