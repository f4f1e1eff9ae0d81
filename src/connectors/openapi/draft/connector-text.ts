/**
 * The connector.yaml of a draft, as text, so every guess can carry a "REVIEW:" comment next to it. The
 * operations, paging, filters, auth and settings come from the analysis of the document; nothing here
 * invents an endpoint the document does not have.
 */
import type { Json } from '../document.ts';
import { isObject, scalarText } from '../schemas.ts';
import type { Collection, Paging, Route } from './analyze.ts';
import type { ProposedMappings } from './mappings.ts';

export interface DraftNames {
  id: string;
  title: string;
  envPrefix: string;
  schemaPath: string;
}

export interface Access {
  settings: string[];
  secrets: string[];
  auth: string[];
  baseUrl: string;
  /** The server URL's path ("/api"), which the document's paths are relative to. */
  serverPath: string;
  review: string[];
}

const quote = (text: string) => JSON.stringify(text);

/** The {params} of a path template, in order. */
export const pathParams = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);

/**
 * A document path as a connector URL template. The collection's own {params} (GitHub's {org}) are
 * settings; after them the first {param} is the object's id and the second a member's.
 */
export function urlOf(path: string, collectionPath: string): string {
  const fixed = new Set(pathParams(collectionPath));
  let count = 0;
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) =>
    fixed.has(name) ? `{{ $config.${settingName(name)} }}` : count++ === 0 ? '{{ $id }}' : '{{ $member }}',
  );
}

/** A path parameter as a setting name (team_slug -> teamSlug). */
export const settingName = (name: string) =>
  name
    .replace(/[^A-Za-z0-9]+([A-Za-z0-9])/g, (_match, next: string) => next.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '');

/** Settings for the {params} of the collection paths, which stay the same for every call. */
export function pathSettings(paths: string[], names: DraftNames): string[] {
  const seen = [...new Set(paths.flatMap(pathParams))];
  return seen.map(
    (name) =>
      `  ${settingName(name)}:\n    description: ${quote(`The {${name}} of ${paths.filter((path) => path.includes(`{${name}}`)).join(' and ')}`)}\n    env: ${names.envPrefix}_${settingName(
        name,
      )
        .replace(/[A-Z]/g, (c) => `_${c}`)
        .toUpperCase()}\n    required: true`,
  );
}

export function accessOf(doc: Json, names: DraftNames): Access {
  const server = Array.isArray(doc.servers) && isObject(doc.servers[0]) ? doc.servers[0] : { url: '/' };
  const url = scalarText(server.url) || '/';
  const variables = isObject(server.variables) ? Object.keys(server.variables) : [];
  const settings: string[] = [];
  const review: string[] = [];
  let baseUrl: string;
  let serverPath: string;
  if (/^https?:\/\//i.test(url)) {
    const parsed = new URL(url.replace(/\{([^}]+)\}/g, 'x'));
    serverPath = parsed.pathname === '/' ? '' : decodeURIComponent(parsed.pathname).replace(/\/+$/, '');
    if (variables.length) {
      baseUrl = url.replace(/\{([^}]+)\}/g, (_match, name: string) => `{{ $config.${name} }}`);
      for (const name of variables)
        settings.push(
          `  ${name}:\n    description: ${quote(`Server variable ${name} of ${url}`)}\n    env: ${names.envPrefix}_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}\n    required: true`,
        );
    } else {
      baseUrl = '{{ $config.baseUrl }}';
      settings.push(
        `  baseUrl:\n    description: The API root\n    env: ${names.envPrefix}_URL\n    default: ${quote(url.replace(/\/+$/, ''))}`,
      );
    }
  } else {
    serverPath = url === '/' ? '' : url.replace(/\/+$/, '');
    baseUrl = `{{ $config.baseUrl }}${serverPath}`;
    settings.push(
      `  baseUrl:\n    description: Where the app listens, e.g. https://app.example.com (the API is below ${url})\n    env: ${names.envPrefix}_URL\n    required: true`,
    );
  }
  const schemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  const wanted = Array.isArray(doc.security)
    ? doc.security.flatMap((entry) => (isObject(entry) ? Object.keys(entry) : []))
    : [];
  const order = [...wanted, ...Object.keys(schemes)]
    .map((name) => [name, schemes[name]] as const)
    .filter(([, scheme]) => isObject(scheme)) as [string, Json][];
  const pick = order.find(
    ([, scheme]) =>
      scheme.type === 'apiKey' ||
      (scheme.type === 'http' && ['bearer', 'basic'].includes(String(scheme.scheme).toLowerCase())) ||
      (scheme.type === 'oauth2' && isObject(scheme.flows) && isObject(scheme.flows.clientCredentials)),
  );
  const secrets: string[] = [];
  let auth: string[];
  const scheme = pick?.[1];
  if (scheme?.type === 'apiKey') {
    secrets.push(
      `  apiKey:\n    description: ${quote(`The API key (${String(scheme.in)} ${String(scheme.name)})`)}\n    env: ${names.envPrefix}_API_KEY`,
    );
    auth = [
      `  type: apiKey`,
      `  in: ${scheme.in === 'query' ? 'query' : 'header'}`,
      `  name: ${quote(String(scheme.name))}`,
      `  value: "{{ $secrets.apiKey }}"`,
    ];
  } else if (scheme?.type === 'http' && String(scheme.scheme).toLowerCase() === 'basic') {
    settings.push(
      `  username:\n    description: The API user\n    env: ${names.envPrefix}_USERNAME\n    required: true`,
    );
    secrets.push(
      `  password:\n    description: The API user's password or token\n    env: ${names.envPrefix}_PASSWORD`,
    );
    auth = ['  type: basic', '  username: "{{ $config.username }}"', '  password: "{{ $secrets.password }}"'];
  } else if (scheme?.type === 'oauth2') {
    const flow = (scheme.flows as Json).clientCredentials as Json;
    settings.push(
      `  clientId:\n    description: The OAuth client id\n    env: ${names.envPrefix}_CLIENT_ID\n    required: true`,
    );
    secrets.push(
      `  clientSecret:\n    description: The OAuth client secret\n    env: ${names.envPrefix}_CLIENT_SECRET`,
    );
    auth = [
      '  type: oauth2ClientCredentials',
      `  tokenUrl: ${quote(String(flow.tokenUrl))}`,
      '  clientId: "{{ $config.clientId }}"',
      '  clientSecret: "{{ $secrets.clientSecret }}"',
    ];
    review.push('auth: the client credentials flow may need scopes or an audience (params)');
  } else {
    secrets.push(
      `  apiToken:\n    description: An API token allowed to manage users and groups\n    env: ${names.envPrefix}_API_TOKEN`,
    );
    auth = ['  type: bearer', '  token: "{{ $secrets.apiToken }}"'];
    if (!scheme || scheme.type !== 'http')
      review.push('auth: the document names no usable security scheme; a bearer token is assumed');
  }
  return { settings, secrets, auth, baseUrl, serverPath, review };
}

function pagingText(paging: Paging, indent: string): string[] {
  switch (paging.type) {
    case 'page':
      return [
        `${indent}pagination: { type: page, pageParam: ${quote(paging.pageParam)}, sizeParam: ${quote(paging.sizeParam)}, pageSize: 100, firstPage: ${paging.firstPage}${paging.total ? `, total: ${paging.total}` : ''} }`,
      ];
    case 'offset':
      return [
        `${indent}pagination: { type: offset, offsetParam: ${quote(paging.offsetParam)}, limitParam: ${quote(paging.limitParam)}, pageSize: 100${paging.total ? `, total: ${paging.total}` : ''} }`,
      ];
    case 'cursor':
      return [
        `${indent}# REVIEW: where the answer gives the next cursor`,
        `${indent}pagination: { type: cursor, cursorParam: ${quote(paging.cursorParam)}${paging.sizeParam ? `, sizeParam: ${quote(paging.sizeParam)}` : ''}, pageSize: 100, cursor: ${paging.cursor} }`,
      ];
    case 'link':
      return [
        `${indent}pagination: { type: link${paging.sizeParam ? `, sizeParam: ${quote(paging.sizeParam)}` : ''}, pageSize: 100 }`,
      ];
    default:
      return [`${indent}pagination: { type: none }`];
  }
}

function request(method: string, route: Route, collectionPath: string, body?: string): string {
  return `{ method: ${method.toUpperCase()}, url: ${quote(urlOf(route.path, collectionPath))}${body ? `, body: ${quote(body)}` : ''} }`;
}

const wrap = (envelope: string, inner: string) => (envelope ? `{ ${quote(envelope)}: ${inner} }` : inner);

/** The filters of a list: query parameters named like the userName field, an e-mail, an external id or a name. */
function filters(collection: Collection, kind: 'User' | 'Group', mappings: ProposedMappings): string[] {
  const out: string[] = [];
  const add = (attribute: string, parameter: string) =>
    out.push(
      `          - { attribute: ${quote(attribute)}, op: eq, query: { ${quote(parameter)}: "{{ $filter.value }}" } }`,
    );
  for (const parameter of collection.listParameters) {
    const key = parameter.toLowerCase().replace(/[^a-z]/g, '');
    if (kind === 'User' && mappings.userNameField && parameter === mappings.userNameField) add('userName', parameter);
    else if (kind === 'User' && /^(email|mail)$/.test(key)) add('emails[type eq "work"].value', parameter);
    else if (/^external(id|ref)$/.test(key)) add('externalId', parameter);
    else if (kind === 'Group' && /^(name|displayname)$/.test(key)) add('displayName', parameter);
  }
  return out.length
    ? [
        '        # REVIEW: exact: true where the app matches exactly as SCIM does (the gateway re-checks otherwise)',
        '        filters:',
        ...out,
      ]
    : [];
}

/** The members: block of a group whose app has member add and remove calls. */
function membersText(collection: Collection): string[] {
  const members = collection.members;
  if (!members?.add || !members.remove) return [];
  const lines: string[] = [];
  lines.push(
    '    # REVIEW: membership semantics (is adding a member twice harmless? does the app need the user active?)',
    '    members:',
  );
  lines.push(
    '      add:',
    `        request: ${request(members.add.method, members.add, collection.path)}`,
    '      remove:',
    `        request: ${request('delete', members.remove, collection.path)}`,
  );
  if (members.addMany)
    lines.push(
      '      addMany:',
      `        request: ${request('post', members.addMany.route, collection.path, `{ ${quote(members.addMany.property)}: [$members.$number($)] }`)}`,
    );
  if (members.removeMany)
    lines.push(
      '      removeMany:',
      `        request: { method: DELETE, url: ${quote(urlOf(members.removeMany.route.path, collection.path))}, query: { ${quote(members.removeMany.parameter)}: '{{ $join($members, ",") }}' } }`,
    );
  if (members.addMany || members.removeMany)
    lines.push('      # REVIEW: the most members the app takes per call', '      batchSize: 50');
  if (members.list)
    lines.push(
      '      list:',
      `        request: ${request('get', members.list, collection.path)}`,
      ...pagingText(members.paging, '        '),
      `        items: ${members.listItems || '$'}`,
      `        memberId: $string(${members.memberIdField})`,
    );
  return lines;
}

export function resourceText(
  collection: Collection,
  kind: 'User' | 'Group',
  mappings: ProposedMappings,
  attributes: string[],
): string[] {
  const lines = [
    `  ${kind}:`,
    `    attributes: [${attributes.map((name) => (/[:[\]]/.test(name) ? quote(name) : name)).join(', ')}]`,
    '    operations:',
  ];
  const select = collection.envelope ? `select: ${collection.envelope}` : '';
  const id = collection.idField !== 'id' ? `id: $string(${collection.idField})` : '';
  const response = [select, id].filter(Boolean).join(', ');
  const responseLine = response ? [`        response: { ${response} }`] : [];
  const invalid = collection.statuses.has('422')
    ? ['          - { status: [422], result: fail, message: the app refused the values }']
    : [];
  if (collection.create) {
    // A user Entra creates disabled is created with the app's inactive status in the same call.
    const active = kind === 'User' && mappings.active?.style === 'status' ? mappings.active : undefined;
    const body = active
      ? `$merge([$app, { ${quote(active.field)}: $scim.active = false ? ${quote(active.inactiveValue ?? 'inactive')} : ${quote(active.activeValue!)} }])`
      : '$app';
    lines.push(
      '      create:',
      `        request: ${request('post', collection.create, collection.path, wrap(collection.bodyEnvelope, body))}`,
      ...responseLine,
    );
    lines.push(
      '        # REVIEW: how the app says a userName or name is taken (409 is a conflict by default); with adopt the',
      '        # existing object is found with list and linked instead of failing',
      ...(invalid.length ? ['        outcomes:', ...invalid] : []),
      '        onConflict: adopt',
    );
  }
  if (collection.get)
    lines.push('      get:', `        request: ${request('get', collection.get, collection.path)}`, ...responseLine);
  if (collection.list) {
    lines.push(
      '      list:',
      `        request: ${request('get', collection.list, collection.path)}`,
      ...pagingText(collection.paging, '        '),
      `        items: ${collection.items || '$'}`,
    );
    if (collection.idField !== 'id') lines.push(`        id: $string(${collection.idField})`);
    lines.push(...filters(collection, kind, mappings));
  }
  if (collection.update) {
    const body = collection.update.method === 'patch' ? '$appChanges' : '$app';
    lines.push(
      '      update:',
      `        request: ${request(collection.update.method, collection.update, collection.path, wrap(collection.bodyEnvelope, body))}`,
      ...responseLine,
      ...(invalid.length ? ['        outcomes:', ...invalid] : []),
    );
  }
  if (collection.deactivate && collection.reactivate) {
    lines.push(
      '      deactivate:',
      `        request: ${request(collection.deactivate.method, collection.deactivate, collection.path)}`,
      '      reactivate:',
      `        request: ${request(collection.reactivate.method, collection.reactivate, collection.path)}`,
    );
  }
  if (collection.delete)
    lines.push('      delete:', `        request: ${request('delete', collection.delete, collection.path)}`);
  if (kind === 'Group') lines.push(...membersText(collection));
  return lines;
}

export interface ManifestParts {
  names: DraftNames;
  version: string | undefined;
  access: Access;
  /** The mappings: block's lines. */
  mappings: string[];
  /** The resources: block's lines. */
  resources: string[];
}

export function connectorYaml(parts: ManifestParts): string {
  const { names, access } = parts;
  return [
    `# yaml-language-server: $schema=${names.schemaPath}`,
    '# Drafted by `scimgw connector from-openapi`. Every line marked REVIEW is a guess: check it against the',
    "# vendor's documentation, then run `scimgw connector validate`, `test` and `check-spec` on this folder.",
    'apiVersion: scimgw/v1',
    'kind: Connector',
    'metadata:',
    `  id: ${names.id}`,
    `  name: ${quote(names.title)}`,
    '  version: 0.1.0',
    `  description: ${quote(`Drafted from ${names.title}${parts.version ? ` ${parts.version}` : ''}'s OpenAPI description.`)}`,
    '',
    'settings:',
    ...access.settings,
    'secrets:',
    ...access.secrets,
    '',
    'http:',
    `  baseUrl: ${quote(access.baseUrl)}`,
    '  timeout: 20s',
    '',
    'auth:',
    ...access.auth,
    '',
    "# REVIEW: the app's documented rate limit (and name its source in README.md)",
    'rateLimit: { requests: 10, per: 1s, concurrency: 4 }',
    '',
    'openapi:',
    `  document: openapi/${names.id}.slice.yaml`,
    '',
    ...parts.mappings,
    '',
    'resources:',
    ...parts.resources,
    '',
  ].join('\n');
}
