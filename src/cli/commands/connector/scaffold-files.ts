/**
 * The files `scimgw connector new` writes: a working connector for a typical JSON REST API (bearer token,
 * /users and /groups with page pagination, member sub-resources), meant to be edited into the real app's
 * shape. The example fixture matches the skeleton, so a fresh scaffold validates and its test passes.
 */

export interface ScaffoldNames {
  /** The folder name and connector id. */
  id: string;
  /** A readable name for metadata.name and the README title. */
  title: string;
  /** Prefix of the environment variables the settings and secrets read. */
  envPrefix: string;
  /** Path from the connector folder to schemas/connector.schema.json, for the editor. */
  schemaPath: string;
}

export function scaffoldNames(id: string, schemaPath: string): ScaffoldNames {
  const title = id
    .split('-')
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
  const upper = id.toUpperCase().replace(/-/g, '_');
  // Environment variable names cannot start with a digit.
  return { id, title, envPrefix: /^[0-9]/.test(upper) ? `APP_${upper}` : upper, schemaPath };
}

function connectorYaml(names: ScaffoldNames): string {
  return `# yaml-language-server: $schema=${names.schemaPath}
apiVersion: scimgw/v1
kind: Connector
metadata:
  id: ${names.id}
  name: ${names.title}
  version: 0.1.0
  description: >-
    Provisions Entra ID users and groups into ${names.title} through its REST API.

settings:
  baseUrl:
    description: The API root, e.g. https://${names.id}.example.com/api/v1
    env: ${names.envPrefix}_URL
    required: true
secrets:
  apiToken:
    description: An API token allowed to manage users and groups (sent as a bearer token)
    env: ${names.envPrefix}_API_TOKEN

http:
  baseUrl: "{{ $config.baseUrl }}"
  timeout: 20s

auth:
  type: bearer
  token: "{{ $secrets.apiToken }}"

# Replace with the app's documented limit, and name its source in README.md.
rateLimit:
  requests: 10
  per: 1s
  concurrency: 4

mappings:
  User:
    toApp: { file: mappings/user-to-app.jsonata }
    toScim: { file: mappings/user-to-scim.jsonata }
  Group:
    toApp: '{ "name": displayName }'
    toScim: '{ "displayName": name }'

definitions: &pages
  type: page
  pageParam: page
  sizeParam: per_page
  pageSize: 100
  firstPage: 1

resources:
  User:
    attributes: [userName, active, displayName, name.givenName, name.familyName, emails, externalId]
    operations:
      create:
        request: { method: POST, url: /users, body: $app }
      get:
        request: { method: GET, url: "/users/{{ $id }}" }
      list:
        request: { method: GET, url: /users }
        pagination: *pages
        items: users
        filters:
          - { attribute: userName, op: eq, query: { username: "{{ $filter.value }}" }, exact: true }
      update:
        request: { method: PATCH, url: "/users/{{ $id }}", body: $appChanges }
      delete:
        request: { method: DELETE, url: "/users/{{ $id }}" }
  Group:
    attributes: [displayName, members]
    operations:
      create:
        request: { method: POST, url: /groups, body: $app }
      get:
        request: { method: GET, url: "/groups/{{ $id }}" }
      list:
        request: { method: GET, url: /groups }
        pagination: *pages
        items: groups
        filters:
          - { attribute: displayName, op: eq, query: { name: "{{ $filter.value }}" }, exact: true }
      update:
        request: { method: PATCH, url: "/groups/{{ $id }}", body: $appChanges }
      delete:
        request: { method: DELETE, url: "/groups/{{ $id }}" }
    members:
      add:
        request: { method: POST, url: "/groups/{{ $id }}/members", body: '{ "user_id": $member }' }
      remove:
        request: { method: DELETE, url: "/groups/{{ $id }}/members/{{ $member }}" }
      list:
        request: { method: GET, url: "/groups/{{ $id }}/members" }
        pagination: *pages
        items: members
        memberId: $string(id)
`;
}

const userToApp = `/* SCIM User -> the app's user. A key whose value is undefined is left out; the engine sends a removed key as null. */
{
  "username": userName,
  "email": (emails[type = "work"])[0].value ?: (emails[primary = true])[0].value ?: emails[0].value,
  "first_name": name.givenName,
  "last_name": name.familyName,
  "display_name": displayName,
  "external_id": externalId,
  "active": active
}
`;

const userToScim = `/* The app's user -> SCIM User. Nulls are dropped by the gateway. */
{
  "userName": username,
  "active": active,
  "displayName": display_name,
  "name": { "givenName": first_name, "familyName": last_name },
  "emails": email ? [{ "value": email, "type": "work", "primary": true }],
  "externalId": external_id,
  "meta": { "created": created_at, "lastModified": updated_at }
}
`;

function readme(names: ScaffoldNames): string {
  return `# ${names.title} connector

Provisions Entra ID users and groups into ${names.title} through its REST API.

## What ${names.title} calls things

| SCIM | ${names.title} | Notes |
|---|---|---|
| User | user | |
| \`active\` | \`active\` | |
| Group | group | |
| Group member | group member | |

## Credentials and scopes

- An API token (\`apiToken\`) sent as \`Authorization: Bearer …\`. Say which role or scopes it needs to
  create, update and delete users and groups, and how to issue one.

## Settings

| Name | Kind | Env var | Default | Meaning |
|---|---|---|---|---|
| \`baseUrl\` | setting, required | \`${names.envPrefix}_URL\` | | the API root |
| \`apiToken\` | secret, required | \`${names.envPrefix}_API_TOKEN\` | | the API token |

## Rate limits

- The connector's default is 10 requests a second, 4 at a time. Replace it with the app's documented limit
  and give the source here.

## Not supported

- List what Entra can send that this connector cannot do, and what Entra sees then.

## Sources

- Link the API reference pages each operation follows.
`;
}

const fixtureApp = `# Fake settings and secrets every fixture case runs with.
settings: { baseUrl: https://app.example/api }
secrets: { apiToken: test-token }
`;

const usersCreate = `description: an Entra create becomes POST /users with the mapped fields, and the app's id is kept
request:
  method: POST
  path: /Users
  body:
    schemas: [urn:ietf:params:scim:schemas:core:2.0:User]
    userName: jane@acme.test
    externalId: e-1
    active: true
    name: { givenName: Jane, familyName: Doe }
    emails: [{ type: work, value: jane@acme.test, primary: true }]
exchanges:
  - request:
      method: POST
      url: /users
      headers: { authorization: Bearer test-token }
      body: { username: jane@acme.test, email: jane@acme.test, first_name: Jane, last_name: Doe, external_id: e-1, active: true }
    response:
      status: 201
      body: { id: 101, username: jane@acme.test, email: jane@acme.test, first_name: Jane, last_name: Doe, external_id: e-1, active: true }
expect:
  status: 201
  headers: { location: "*", etag: "*" }
  body: { userName: jane@acme.test, externalId: e-1, active: true, name: { givenName: Jane, familyName: Doe } }
`;

/** Relative path → content, for every file of a new connector. */
export function scaffoldFiles(names: ScaffoldNames): Record<string, string> {
  return {
    'connector.yaml': connectorYaml(names),
    'mappings/user-to-app.jsonata': userToApp,
    'mappings/user-to-scim.jsonata': userToScim,
    'README.md': readme(names),
    'fixtures/_app.yaml': fixtureApp,
    'fixtures/users-create.yaml': usersCreate,
  };
}
