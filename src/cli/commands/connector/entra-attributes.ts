/**
 * Entra ID's default attribute mappings for a non-gallery SCIM app (its "customappsso" User mappings),
 * and which of them a connector's `resources.User.attributes` leaves out. A left-out attribute still works
 * (the gateway remembers what Entra wrote), but it never reaches the app, which an author should decide on
 * purpose.
 */
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export const entraDefaultAttributes: readonly string[] = [
  'userName',
  'active',
  'displayName',
  'title',
  'emails[type eq "work"].value',
  'preferredLanguage',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  ...['formatted', 'streetAddress', 'locality', 'region', 'postalCode', 'country'].map(
    (sub) => `addresses[type eq "work"].${sub}`,
  ),
  ...['work', 'mobile', 'fax'].map((type) => `phoneNumbers[type eq "${type}"].value`),
  'externalId',
  `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:department`,
  `${ENTERPRISE}:manager`,
];

interface AttributePath {
  /** Lower-cased names from the top down, the extension URN counting as one name. */
  names: string[];
  /** The value filter on the multi-valued attribute, normalised; undefined when there is none. */
  filter: string | undefined;
}

function parse(attribute: string): AttributePath {
  let rest = attribute.trim();
  const names: string[] = [];
  if (rest.toLowerCase().startsWith(ENTERPRISE.toLowerCase())) {
    names.push(ENTERPRISE.toLowerCase());
    rest = rest.slice(ENTERPRISE.length).replace(/^:/, '');
  }
  const filter = /\[(.*?)\]/.exec(rest)?.[1];
  rest = rest.replace(/\[.*?\]/, '');
  if (rest) names.push(...rest.toLowerCase().split('.'));
  return {
    names,
    filter: filter === undefined ? undefined : filter.toLowerCase().replace(/\s+/g, ' ').replace(/'/g, '"').trim(),
  };
}

/** "emails" covers every e-mail, "emails[type eq "work"]" only the work one, "name" all its parts. */
function covers(declared: AttributePath, wanted: AttributePath): boolean {
  if (declared.names.length > wanted.names.length) return false;
  if (!declared.names.every((name, index) => name === wanted.names[index])) return false;
  return declared.filter === undefined || declared.filter === wanted.filter;
}

/** The Entra defaults none of `attributes` covers, in Entra's order. */
export function unmappedEntraAttributes(attributes: readonly string[]): string[] {
  const declared = attributes.map(parse);
  return entraDefaultAttributes.filter((attribute) => {
    const wanted = parse(attribute);
    return !declared.some((candidate) => covers(candidate, wanted));
  });
}
