/**
 * Proposes the mappings of a drafted connector: each Entra attribute matched to an app field by name
 * (user_name, first_name, email, job_title, external_ref, status…), written as JSONata for toApp and
 * toScim. Every proposal is a guess to review; fields nothing matched are listed for the README.
 */
import { isObject, listOf, propertiesOf, scalarText } from '../schemas.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface ProposedMappings {
  toApp: string;
  toScim: string;
  /** "user_name ← userName" lines, for the README's review list. */
  matched: string[];
  unmatched: string[];
  /** How active is held: a boolean field, a status enum, a flag meaning inactive, or nothing. */
  active?: { field: string; style: 'boolean' | 'status' | 'inverted'; activeValue?: string; inactiveValue?: string };
  /** The app field holding the userName (for filters and the README). */
  userNameField?: string;
  /** The SCIM attributes the proposals map (what /Schemas will advertise). */
  attributes: string[];
}

const normalized = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const USER_FIELDS: [string, string[]][] = [
  ['userName', ['username', 'login', 'userprincipalname', 'upn']],
  ['email', ['email', 'mail', 'emailaddress', 'primaryemail', 'workemail']],
  ['givenName', ['firstname', 'givenname', 'first']],
  ['familyName', ['lastname', 'familyname', 'surname', 'last']],
  ['formatted', ['fullname']],
  ['displayName', ['displayname', 'name']],
  ['title', ['jobtitle', 'title', 'position']],
  ['externalId', ['externalid', 'externalref', 'externalreference']],
  ['preferredLanguage', ['preferredlanguage', 'locale', 'language']],
  ['phoneWork', ['phonework', 'workphone', 'phone', 'phonenumber', 'telephone']],
  ['phoneMobile', ['phonemobile', 'mobilephone', 'mobile', 'cellphone']],
  ['department', ['department']],
  ['employeeNumber', ['employeeno', 'employeenumber', 'employeeid']],
  ['manager', ['managerid', 'manager']],
  ['roles', ['roles']],
  ['created', ['createdat', 'created', 'createdon', 'creationdate']],
  ['modified', ['updatedat', 'modifiedat', 'updated', 'updatedon', 'lastmodified']],
];

function typeOf(schema: unknown): string {
  if (!isObject(schema)) return '';
  return scalarText(Array.isArray(schema.type) ? listOf(schema.type).find((entry) => entry !== 'null') : schema.type);
}

function matchFields(schema: unknown, table: [string, string[]][]): { found: Map<string, string>; rest: string[] } {
  const properties = propertiesOf(schema) ?? new Map<string, unknown>();
  const found = new Map<string, string>();
  const used = new Set<string>();
  for (const [target, names] of table) {
    for (const candidate of names) {
      const field = [...properties.keys()].find((name) => !used.has(name) && normalized(name) === candidate);
      if (field) {
        found.set(target, field);
        used.add(field);
        break;
      }
    }
  }
  return { found, rest: [...properties.keys()].filter((name) => !used.has(name) && name !== 'id') };
}

function activeOf(schema: unknown): ProposedMappings['active'] {
  const properties = propertiesOf(schema) ?? new Map<string, unknown>();
  for (const [name, child] of properties) {
    const key = normalized(name);
    if ((key === 'active' || key === 'enabled') && typeOf(child) === 'boolean')
      return { field: name, style: 'boolean' };
    if (['suspended', 'blocked', 'disabled', 'deactivated', 'locked'].includes(key) && typeOf(child) === 'boolean')
      return { field: name, style: 'inverted' };
    const values = isObject(child) && Array.isArray(child.enum) ? child.enum.map(String) : [];
    const on = values.find((value) => /^(active|enabled)$/i.test(value));
    const off = values.find((value) => /^(inactive|disabled|suspended|deactivated|locked)$/i.test(value));
    if ((key === 'status' || key === 'state') && on)
      return { field: name, style: 'status', activeValue: on, ...(off ? { inactiveValue: off } : {}) };
  }
  return undefined;
}

const q = (name: string) => JSON.stringify(name);
/** A field name as a JSONata path step (backquoted when it is not a plain name). */
const path = (name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name}\``);

/**
 * The toApp entries, without fields the app's create and update requests do not take (Asana answers a
 * user's e-mail but its PUT /users/{gid} body has no such property): those stay read-only, in toScim.
 */
function appEntries(toApp: Map<string, string>, writable: Set<string> | undefined): string[] {
  return [...toApp]
    .filter(([field]) => !writable || writable.has(field))
    .map(([field, expression]) => `${q(field)}: ${expression}`);
}

/** "field ↔ attribute" for the README, marked when the app takes no writes to the field. */
function readOnlyMarks(matched: string[], writable: Set<string> | undefined): string[] {
  return matched.map((line) =>
    writable && !writable.has(line.split(' ↔ ')[0]!) ? `${line} (read only: the app's requests do not take it)` : line,
  );
}

export interface ProposalOptions {
  /** Send active as a field (false when the app has deactivate/reactivate calls). */
  sendActive: boolean;
  hasActiveCalls?: boolean;
  /** The fields the app's create and update requests take; undefined when the document does not say. */
  writable?: Set<string> | undefined;
}

/** The three lists a proposal grows together: toApp entries, toScim entries, the README's matched lines. */
class Proposal {
  readonly toApp = new Map<string, string>();
  readonly toScim: string[] = [];
  readonly matched: string[] = [];

  /** An app field read from and written to a SCIM attribute under the same name. */
  simple(found: Map<string, string>, target: string, scim: string): void {
    const field = found.get(target);
    if (!field) return;
    this.toApp.set(field, scim);
    this.toScim.push(`${q(scim)}: ${path(field)}`);
    this.matched.push(`${field} ↔ ${scim}`);
  }
}

/** userName (or the e-mail standing in for it) and the work e-mail. */
function proposeIdentity(proposal: Proposal, found: Map<string, string>, userNameField: string | undefined): void {
  if (userNameField) {
    proposal.toApp.set(userNameField, 'userName');
    proposal.toScim.push(`"userName": ${path(userNameField)}`);
    proposal.matched.push(`${userNameField} ↔ userName`);
  }
  const email = found.get('email');
  if (email && email !== userNameField) {
    proposal.toApp.set(email, '(emails[type = "work"])[0].value ?: emails[0].value');
    proposal.matched.push(`${email} ↔ emails[type eq "work"].value`);
  }
  if (email)
    proposal.toScim.push(`"emails": ${path(email)} ? [{ "value": ${path(email)}, "type": "work", "primary": true }]`);
}

function proposeName(proposal: Proposal, found: Map<string, string>): string[] {
  const nameParts = (['givenName', 'familyName', 'formatted'] as const).filter((part) => found.has(part));
  for (const part of nameParts) {
    proposal.toApp.set(found.get(part)!, `name.${part}`);
    proposal.matched.push(`${found.get(part)} ↔ name.${part}`);
  }
  if (nameParts.length)
    proposal.toScim.push(`"name": { ${nameParts.map((part) => `${q(part)}: ${path(found.get(part)!)}`).join(', ')} }`);
  return nameParts;
}

function proposePhones(proposal: Proposal, found: Map<string, string>): number {
  const phones = (
    [
      ['phoneWork', 'work'],
      ['phoneMobile', 'mobile'],
    ] as const
  ).filter(([target]) => found.has(target));
  for (const [target, type] of phones) {
    proposal.toApp.set(found.get(target)!, `(phoneNumbers[type = "${type}"])[0].value`);
    proposal.matched.push(`${found.get(target)} ↔ phoneNumbers[type eq "${type}"].value`);
  }
  if (phones.length)
    proposal.toScim.push(
      `"phoneNumbers": [${phones.map(([target, type]) => `${path(found.get(target)!)} ? { "value": ${path(found.get(target)!)}, "type": "${type}" }`).join(', ')}]`,
    );
  return phones.length;
}

/** Department, employee number and manager (an app id, numeric when the app's field is). */
function proposeEnterprise(proposal: Proposal, found: Map<string, string>, properties: Map<string, unknown>): void {
  const enterprise: string[] = [];
  for (const [target, attribute] of [
    ['department', 'department'],
    ['employeeNumber', 'employeeNumber'],
  ] as const) {
    const field = found.get(target);
    if (!field) continue;
    proposal.toApp.set(field, `$lookup($, "${ENTERPRISE}").${attribute}`);
    enterprise.push(`${q(attribute)}: ${path(field)}`);
    proposal.matched.push(`${field} ↔ ${ENTERPRISE}:${attribute}`);
  }
  const manager = found.get('manager');
  if (manager) {
    const numeric = ['integer', 'number'].includes(typeOf(properties.get(manager)));
    proposal.toApp.set(
      manager,
      `$lookup($, "${ENTERPRISE}").manager.value ? ${numeric ? '$number(' : '('}$lookup($, "${ENTERPRISE}").manager.value)`,
    );
    enterprise.push(`"manager": ${path(manager)} ? { "value": $string(${path(manager)}) }`);
    proposal.matched.push(`${manager} ↔ ${ENTERPRISE}:manager (the gateway turns SCIM ids into app ids)`);
  }
  if (enterprise.length) proposal.toScim.push(`${q(ENTERPRISE)}: { ${enterprise.join(', ')} }`);
}

function proposeActive(proposal: Proposal, active: NonNullable<ProposedMappings['active']>, send: boolean): void {
  const field = path(active.field);
  const read = {
    boolean: `${field} != false`,
    inverted: `${field} != true`,
    status: `${field} = ${q(active.activeValue ?? '')}`,
  }[active.style];
  proposal.toScim.push(`"active": ${read}`);
  if (send) {
    const write = {
      boolean: 'active != false',
      inverted: 'active = false',
      status: `active = false ? ${q(active.inactiveValue ?? 'inactive')} : ${q(active.activeValue ?? '')}`,
    }[active.style];
    proposal.toApp.set(active.field, write);
  }
  proposal.matched.push(`${active.field} ↔ active`);
}

export function proposeUserMappings(schema: unknown, options: ProposalOptions): ProposedMappings {
  const { found, rest } = matchFields(schema, USER_FIELDS);
  const properties = propertiesOf(schema) ?? new Map<string, unknown>();
  const active = activeOf(schema);
  const userNameField = found.get('userName') ?? found.get('email');
  const proposal = new Proposal();
  proposeIdentity(proposal, found, userNameField);
  const nameParts = proposeName(proposal, found);
  for (const target of ['displayName', 'title', 'externalId', 'preferredLanguage'])
    proposal.simple(found, target, target);
  const phones = proposePhones(proposal, found);
  proposeEnterprise(proposal, found, properties);
  const roles = found.get('roles');
  if (roles) {
    proposal.toApp.set(roles, 'roles ? [roles.value]');
    proposal.toScim.push(`"roles": [${path(roles)}.{ "value": $ }]`);
    proposal.matched.push(`${roles} ↔ roles (role values)`);
  }
  if (active) proposeActive(proposal, active, options.sendActive);
  const meta = [
    found.get('created') && `"created": ${path(found.get('created')!)}`,
    found.get('modified') && `"lastModified": ${path(found.get('modified')!)}`,
  ].filter(Boolean);
  if (meta.length) proposal.toScim.push(`"meta": { ${meta.join(', ')} }`);
  const unmatched = rest.filter((name) => ![...found.values()].includes(name) && name !== active?.field);
  const attributes = [
    ...(userNameField ? ['userName'] : []),
    ...(active || options.hasActiveCalls ? ['active'] : []),
    ...(['displayName', 'title', 'externalId', 'preferredLanguage'] as const).filter((target) => found.has(target)),
    ...nameParts.map((part) => `name.${part}`),
    ...(found.has('email') ? ['emails'] : []),
    ...(phones ? ['phoneNumbers'] : []),
    ...(found.has('department') ? [`${ENTERPRISE}:department`] : []),
    ...(found.has('employeeNumber') ? [`${ENTERPRISE}:employeeNumber`] : []),
    ...(found.has('manager') ? [`${ENTERPRISE}:manager`] : []),
    ...(roles ? ['roles'] : []),
  ];
  return {
    toApp: `{\n  ${appEntries(proposal.toApp, options.writable).join(',\n  ')}\n}\n`,
    toScim: `{\n  ${proposal.toScim.join(',\n  ')}\n}\n`,
    matched: readOnlyMarks(proposal.matched, options.writable),
    unmatched,
    attributes,
    ...(active ? { active } : {}),
    ...(userNameField ? { userNameField } : {}),
  };
}

export function proposeGroupMappings(schema: unknown, writable?: Set<string>): ProposedMappings {
  const { found, rest } = matchFields(schema, [
    ['displayName', ['displayname', 'name', 'title']],
    ['externalId', ['externalid', 'externalref', 'externalreference']],
    ['created', ['createdat', 'created', 'createdon']],
    ['modified', ['updatedat', 'modifiedat', 'updated', 'updatedon']],
  ]);
  const toApp = new Map<string, string>();
  const toScim: string[] = [];
  const matched: string[] = [];
  for (const target of ['displayName', 'externalId'] as const) {
    const field = found.get(target);
    if (!field) continue;
    toApp.set(field, target);
    toScim.push(`${q(target)}: ${path(field)}`);
    matched.push(`${field} ↔ ${target}`);
  }
  const meta = [
    found.get('created') && `"created": ${path(found.get('created')!)}`,
    found.get('modified') && `"lastModified": ${path(found.get('modified')!)}`,
  ].filter(Boolean);
  if (meta.length) toScim.push(`"meta": { ${meta.join(', ')} }`);
  const attributes = [...(['displayName', 'externalId'] as const).filter((target) => found.has(target))];
  return {
    toApp: `{ ${appEntries(toApp, writable).join(', ')} }`,
    toScim: `{ ${toScim.join(', ')} }`,
    matched: readOnlyMarks(matched, writable),
    unmatched: rest.filter((name) => ![...found.values()].includes(name)),
    attributes,
  };
}
