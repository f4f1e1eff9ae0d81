/**
 * A full Entra user, ~1.2 KB as Entra sends it: every default attribute, two roles, the enterprise
 * extension. The benches that cost one user (bench:store's shadow, bench:mappings' input) use it.
 */
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** The user named `userName` (its work e-mail too). */
export function entraUser(userName = 'adele.vance@contoso.example'): Record<string, unknown> {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: '5b0a7e4c-2f1d-4c1e-9d7a-3f6c2b8e1a90',
    userName,
    active: true,
    displayName: 'Adele Vance',
    title: 'Retail Manager',
    preferredLanguage: 'en-US',
    name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
    emails: [
      { type: 'work', value: userName, primary: true },
      { type: 'home', value: 'adele@home.example' },
    ],
    phoneNumbers: [
      { type: 'work', value: '+1 425 555 0109' },
      { type: 'mobile', value: '+1 425 555 0110' },
      { type: 'fax', value: '+1 425 555 0111' },
    ],
    addresses: [
      {
        type: 'work',
        formatted: '18/2111, Redmond, WA 98052, United States',
        streetAddress: '18/2111',
        locality: 'Redmond',
        region: 'WA',
        postalCode: '98052',
        country: 'US',
        primary: true,
      },
    ],
    roles: [
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Editor', value: 'editor' },
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Viewer', value: 'viewer' },
    ],
    [ENTERPRISE]: {
      employeeNumber: '10042',
      department: 'Retail',
      costCenter: 'CC-4410',
      organization: 'Contoso',
      division: 'Sales',
      manager: { value: '907' },
    },
  };
}
