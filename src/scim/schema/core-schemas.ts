/**
 * The RFC 7643 core User and Group schemas, the enterprise User extension, and the common attributes
 * (id, externalId, meta). Descriptions follow RFC 7643 §8.7.1 ("User Account" is asserted by Microsoft's
 * conformance collection).
 */
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './types.ts';
import { URN } from './urns.ts';

type Options = Partial<Omit<AttributeDef, 'name' | 'description'>>;

function attr(name: string, description: string, options: Options = {}): AttributeDef {
  return {
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

function complex(
  name: string,
  description: string,
  subAttributes: AttributeDef[],
  options: Options = {},
): AttributeDef {
  return attr(name, description, { type: 'complex', subAttributes, ...options });
}

/**
 * The value/display/type/primary shape shared by emails, phoneNumbers, ims, photos, entitlements, roles…
 * `display` is read-only (RFC 7643 §2.4) except where a client writes it: Entra's SingleAppRoleAssignment
 * maps roles[primary eq "True"].display.
 */
function multiValued(
  name: string,
  description: string,
  types: string[],
  valueOptions: Options = {},
  displayMutability: AttributeDef['mutability'] = 'readOnly',
): AttributeDef {
  return complex(
    name,
    description,
    [
      attr('value', `The value of the ${name} entry.`, valueOptions),
      attr('display', 'A human-readable name, primarily used for display purposes.', { mutability: displayMutability }),
      attr('type', "A label indicating the attribute's function.", types.length ? { canonicalValues: types } : {}),
      attr('primary', 'A Boolean value indicating the preferred value; true appears no more than once.', {
        type: 'boolean',
      }),
    ],
    { multiValued: true },
  );
}

export const commonAttributes: AttributeDef[] = [
  attr('id', 'Unique identifier for the SCIM resource as defined by the Service Provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'A String that is an identifier for the resource as defined by the provisioning client.', {
    caseExact: true,
  }),
  complex(
    'meta',
    'A complex attribute containing resource metadata.',
    [
      attr('resourceType', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('created', 'The DateTime that the resource was added to the service provider.', {
        type: 'dateTime',
        mutability: 'readOnly',
      }),
      attr('lastModified', 'The most recent DateTime that the details of this resource were updated.', {
        type: 'dateTime',
        mutability: 'readOnly',
      }),
      attr('location', 'The URI of the resource being returned.', {
        type: 'reference',
        referenceTypes: ['uri'],
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr('version', 'The version of the resource being returned.', { caseExact: true, mutability: 'readOnly' }),
    ],
    { mutability: 'readOnly' },
  ),
];

export const userSchema: SchemaDef = {
  id: URN.user,
  name: 'User',
  description: 'User Account',
  attributes: [
    attr(
      'userName',
      'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.',
      {
        required: true,
        uniqueness: 'server',
      },
    ),
    complex('name', "The components of the user's real name.", [
      attr(
        'formatted',
        'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.',
      ),
      attr('familyName', 'The family name of the User, or last name in most Western languages.'),
      attr('givenName', 'The given name of the User, or first name in most Western languages.'),
      attr('middleName', 'The middle name(s) of the User.'),
      attr('honorificPrefix', 'The honorific prefix(es) of the User, or title in most Western languages.'),
      attr('honorificSuffix', 'The honorific suffix(es) of the User, or suffix in most Western languages.'),
    ]),
    attr('displayName', 'The name of the User, suitable for display to end-users.'),
    attr('nickName', 'The casual way to address the user in real life.'),
    attr('profileUrl', "A fully qualified URL pointing to a page representing the User's online profile.", {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    attr('title', 'The user\'s title, such as "Vice President."'),
    attr('userType', 'Used to identify the relationship between the organization and the user.'),
    attr('preferredLanguage', "Indicates the User's preferred written or spoken language."),
    attr(
      'locale',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    attr('timezone', "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
    attr('active', "A Boolean value indicating the User's administrative status.", { type: 'boolean' }),
    attr('password', "The User's cleartext password.", { mutability: 'writeOnly', returned: 'never' }),
    multiValued('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValued('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    multiValued('ims', 'Instant messaging addresses for the User.', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    multiValued('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], {
      type: 'reference',
      referenceTypes: ['external'],
    }),
    complex(
      'addresses',
      'A physical mailing address for this User.',
      [
        attr('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
        attr('streetAddress', 'The full street address component.'),
        attr('locality', 'The city or locality component.'),
        attr('region', 'The state or region component.'),
        attr('postalCode', 'The zip code or postal code component.'),
        attr('country', 'The country name component.'),
        attr('type', "A label indicating the attribute's function.", { canonicalValues: ['work', 'home', 'other'] }),
        attr('primary', 'A Boolean value indicating the preferred address.', { type: 'boolean' }),
      ],
      { multiValued: true },
    ),
    complex(
      'groups',
      'A list of groups to which the user belongs.',
      [
        attr('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
        attr('$ref', 'The URI of the corresponding Group resource.', {
          type: 'reference',
          referenceTypes: ['Group'],
          mutability: 'readOnly',
        }),
        attr('display', 'A human-readable name, primarily used for display purposes.', { mutability: 'readOnly' }),
        attr('type', 'A label indicating the membership: direct or indirect.', {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
      { multiValued: true, mutability: 'readOnly' },
    ),
    multiValued('entitlements', 'A list of entitlements for the User.', []),
    multiValued('roles', 'A list of roles for the User.', [], {}, 'readWrite'),
    multiValued('x509Certificates', 'A list of certificates issued to the User.', [], { type: 'binary' }),
  ],
};

export const enterpriseUserSchema: SchemaDef = {
  id: URN.enterpriseUser,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attr('employeeNumber', 'Numeric or alphanumeric identifier assigned to a person.'),
    attr('costCenter', 'Identifies the name of a cost center.'),
    attr('organization', 'Identifies the name of an organization.'),
    attr('division', 'Identifies the name of a division.'),
    attr('department', 'Identifies the name of a department.'),
    complex('manager', "The User's manager.", [
      attr('value', "The id of the SCIM resource representing the User's manager.", { caseExact: true }),
      attr('$ref', "The URI of the SCIM resource representing the User's manager.", {
        type: 'reference',
        referenceTypes: ['User'],
      }),
      attr('displayName', "The displayName of the User's manager.", { mutability: 'readOnly' }),
    ]),
  ],
};

export const groupSchema: SchemaDef = {
  id: URN.group,
  name: 'Group',
  description: 'Group',
  attributes: [
    attr('displayName', 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
    complex(
      'members',
      'A list of members of the Group.',
      [
        attr('value', 'Identifier of the member of this Group.', { caseExact: true, mutability: 'immutable' }),
        attr('$ref', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        attr('display', 'A human-readable name for the member.', { mutability: 'readOnly' }),
        attr('type', 'A label indicating the type of resource.', {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
      { multiValued: true, returned: 'default' },
    ),
  ],
};

export const userResourceType: ResourceTypeDef = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: userSchema,
  extensions: [enterpriseUserSchema],
};

export const groupResourceType: ResourceTypeDef = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: groupSchema,
  extensions: [],
};

export const resourceTypes = { User: userResourceType, Group: groupResourceType } as const;
