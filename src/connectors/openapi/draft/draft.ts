/**
 * `scimgw connector from-openapi`: a connector folder drafted from a vendor's OpenAPI document — operations
 * from the collections' routes, auth from securitySchemes, paging from parameter names, envelopes and ids
 * from schemas, Entra attribute mappings proposed by name, a slice of the document, fixture cases recorded
 * from the document's examples, and a README of what needs a person (each guess is also marked REVIEW).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, formatIssue } from '../../../errors.ts';
import { loadConnector } from '../../loader.ts';
import type { FixtureApp } from '../../testing/fixture.ts';
import { documentFile, loadOpenApi, type Json } from '../document.ts';
import { OperationIndex } from '../operations.ts';
import { sliceDocument } from '../slice.ts';
import { analyzeCollection, type Collection } from './analyze.ts';
import {
  accessOf,
  connectorYaml,
  type Access,
  pathParams,
  pathSettings,
  resourceText,
  settingName,
  type DraftNames,
} from './connector-text.ts';
import { draftCases } from './cases.ts';
import { proposeGroupMappings, proposeUserMappings, type ProposedMappings } from './mappings.ts';
import { recordFixtures } from './record-fixtures.ts';
import { deactivationGaps, documentGaps, membershipGaps } from './review.ts';
import { readmeText } from './readme.ts';

export interface DraftOptions {
  /** The OpenAPI document (a file). */
  file: string;
  users?: string;
  groups?: string;
  /** Folder the connector folder goes into. */
  parent: string;
  name?: string;
  /** schemas/connector.schema.json, which the draft's connector.yaml names for editors. */
  schemaFile: string;
  /** Where npm: references resolve from (default: the process's folder). */
  cwd?: string;
}

export interface Draft {
  dir: string;
  id: string;
  review: string[];
  files: string[];
  /** Recorded cases that did not end as expected (the draft still validates; they show what to fix). */
  caseProblems: string[];
  /** False when the draft needs an edit before it loads (an operation the document has no route for). */
  loads: boolean;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'app'
  );
}

function draftNames(id: string, title: string, schemaPath: string): DraftNames {
  const upper = id.toUpperCase().replace(/-/g, '_');
  return { id, title, envPrefix: /^[0-9]/.test(upper) ? `APP_${upper}` : upper, schemaPath };
}

const routesOf = (collection: Collection | undefined) =>
  collection
    ? [
        collection.list,
        collection.create,
        collection.get,
        collection.update,
        collection.delete,
        collection.deactivate,
        collection.reactivate,
        collection.members?.add,
        collection.members?.remove,
        collection.members?.addMany?.route,
        collection.members?.removeMany?.route,
        collection.members?.list,
      ].filter((route) => route !== undefined)
    : [];

interface FileInputs {
  names: DraftNames;
  version: string | undefined;
  /** The document as the author named it. */
  file: string;
  raw: Json;
  users: Collection | undefined;
  groups: Collection | undefined;
  userMappings: ProposedMappings | undefined;
  groupMappings: ProposedMappings | undefined;
  access: Access;
  collectionPaths: string[];
}

/** Every file of the draft but the recorded cases and the README, and the fake app the cases run with. */
function draftFiles(input: FileInputs): { files: Record<string, string>; app: FixtureApp } {
  const { names, users, groups, userMappings, groupMappings, access, collectionPaths } = input;
  const id = names.id;
  const resources: string[] = [];
  if (users && userMappings) resources.push(...resourceText(users, 'User', userMappings, userMappings.attributes));
  if (groups && groupMappings)
    resources.push(
      ...resourceText(groups, 'Group', groupMappings, [
        ...groupMappings.attributes,
        ...(groups.members?.add && groups.members.remove ? ['members'] : []),
      ]),
    );
  const mappings: string[] = ['mappings:'];
  if (userMappings)
    mappings.push(
      '  User:',
      '    toApp: { file: mappings/user-to-app.jsonata }',
      '    toScim: { file: mappings/user-to-scim.jsonata }',
    );
  if (groupMappings)
    mappings.push(
      '  Group:',
      '    toApp: { file: mappings/group-to-app.jsonata }',
      '    toScim: { file: mappings/group-to-scim.jsonata }',
    );

  const slice = sliceDocument(
    input.raw,
    routesOf(users)
      .concat(routesOf(groups))
      .map((route) => ({ method: route.method, template: route.path })),
  );
  const files: Record<string, string> = {
    'connector.yaml': connectorYaml({ names, version: input.version, access, mappings, resources }),
    [`openapi/${id}.slice.yaml`]: `# A slice of ${input.file}: the routes this draft calls and the components they reference.\n# REVIEW: name the document's source, version and licence here.\n${stringify(slice, { lineWidth: 0, aliasDuplicateObjects: false })}`,
  };
  const header = (what: string) => `/* REVIEW: ${what}, proposed by field name from the document's schema. */\n`;
  if (userMappings) {
    files['mappings/user-to-app.jsonata'] = header('SCIM User -> app user') + userMappings.toApp;
    files['mappings/user-to-scim.jsonata'] = header('App user -> SCIM User') + userMappings.toScim;
  }
  if (groupMappings) {
    files['mappings/group-to-app.jsonata'] = `${header('SCIM Group -> app group')}${groupMappings.toApp}\n`;
    files['mappings/group-to-scim.jsonata'] = `${header('App group -> SCIM Group')}${groupMappings.toScim}\n`;
  }
  const fixed = new Set(collectionPaths.flatMap(pathParams).map(settingName));
  const settingValue = (name: string) =>
    fixed.has(name) ? `${name.toLowerCase()}-1` : name === 'username' ? 'fixture-user' : 'https://app.example.test';
  const app: FixtureApp = {
    settings: Object.fromEntries(
      access.settings.map((block) => block.trim().split(':')[0]!).map((name) => [name, settingValue(name)]),
    ),
    secrets: Object.fromEntries(access.secrets.map((block) => [block.trim().split(':')[0]!, 'fixture-secret'])),
  };
  files['fixtures/_app.yaml'] = `# Fake settings and secrets the drafted fixtures run with.\n${stringify(app)}`;
  return { files, app };
}

export async function draftConnector(options: DraftOptions): Promise<Draft> {
  const doc = await loadOpenApi(documentFile(options.file, options.cwd ?? process.cwd()));
  const info = (doc.deref.info ?? {}) as { title?: string; version?: string; description?: string };
  const id = options.name ?? slug(info.title ?? 'app');
  const dir = join(options.parent, id);
  if (existsSync(dir)) throw new Error(`${dir} already exists: choose another --name or --dir`);
  const names = draftNames(id, info.title ?? id, relative(resolve(dir), options.schemaFile).split(sep).join('/'));
  const users = options.users ? analyzeCollection(doc.deref, options.users, 'User') : undefined;
  const groups = options.groups ? analyzeCollection(doc.deref, options.groups, 'Group') : undefined;
  for (const [flag, collection] of [
    ['--users', users],
    ['--groups', groups],
  ] as const) {
    if (collection && !collection.list && !collection.get)
      throw new Error(
        `${flag} ${collection.path}: the document has no such collection (no GET ${collection.path} or item route)`,
      );
  }
  const verbs = Boolean(users?.deactivate && users.reactivate);
  const userMappings = users
    ? proposeUserMappings(users.schema, { sendActive: !verbs, hasActiveCalls: verbs, writable: users.writable })
    : undefined;
  const groupMappings = groups ? proposeGroupMappings(groups.schema, groups.writable) : undefined;
  const access = accessOf(doc.deref, names);
  const collectionPaths = [users?.path, groups?.path].filter((path) => path !== undefined);
  access.settings.push(...pathSettings(collectionPaths, names));
  const review = [...access.review];
  for (const collection of [users, groups]) if (collection) review.push(...documentGaps(collection));
  if (users) review.push(...deactivationGaps(users, userMappings));
  if (groups) review.push(...membershipGaps(groups));

  const { files, app } = draftFiles({
    names,
    version: info.version,
    file: options.file,
    raw: doc.raw,
    users,
    groups,
    userMappings,
    groupMappings,
    access,
    collectionPaths,
  });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }

  // Record the cases against the document through the draft itself, once it loads.
  let connector;
  try {
    connector = loadConnector(dir);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    review.push(
      ...error.issues.map(
        (issue) =>
          `the draft does not load yet: ${formatIssue({ ...issue, file: relative(options.parent, issue.file) })}`,
      ),
    );
    writeFileSync(
      join(dir, 'README.md'),
      readmeText({ names, info, users, groups, userMappings, groupMappings, review, folder: dir }),
    );
    return {
      dir,
      id,
      review,
      caseProblems: [],
      loads: false,
      files: [...Object.keys(files), 'README.md'].map((name) => relative(options.parent, join(dir, name))),
    };
  }
  const caseProblems = await recordFixtures({
    dir,
    connector,
    app,
    index: new OperationIndex(doc.deref),
    serverPath: access.serverPath,
    cases: draftCases({ users, groups, userMappings }),
  });
  review.push(...caseProblems.map((problem) => `fixture ${problem}`));
  writeFileSync(
    join(dir, 'README.md'),
    readmeText({ names, info, users, groups, userMappings, groupMappings, review, folder: dir }),
  );
  return {
    dir,
    id,
    review,
    caseProblems,
    loads: true,
    files: [...Object.keys(files), 'README.md', 'fixtures/*.yaml'].map((name) =>
      relative(options.parent, join(dir, name)),
    ),
  };
}
