/**
 * The README of a drafted connector: what was read from the document (which route serves which Entra
 * operation, which fields were matched to which attributes), what was not matched, and the list of
 * guesses a person must confirm before the connector is trusted with an Entra tenant.
 */
import type { Collection, Route } from './analyze.ts';
import type { DraftNames } from './connector-text.ts';
import type { ProposedMappings } from './mappings.ts';

export interface ReadmeInput {
  names: DraftNames;
  info: { title?: string; version?: string };
  users?: Collection | undefined;
  groups?: Collection | undefined;
  userMappings?: ProposedMappings | undefined;
  groupMappings?: ProposedMappings | undefined;
  review: string[];
  /** The connector folder as the author will type it (connectors/acme). */
  folder: string;
}

const call = (route: Route | undefined) => (route ? `\`${route.method.toUpperCase()} ${route.path}\`` : '—');

function operationsTable(kind: 'User' | 'Group', collection: Collection): string[] {
  const rows: [string, Route | undefined][] = [
    ['create', collection.create],
    ['read', collection.get],
    ['list / filter', collection.list],
    ['update', collection.update],
    ['deactivate', collection.deactivate],
    ['reactivate', collection.reactivate],
    ['delete', collection.delete],
  ];
  const members = collection.members;
  if (members)
    rows.push(
      ['add a member', members.add],
      ['remove a member', members.remove],
      ['add many', members.addMany?.route],
      ['remove many', members.removeMany?.route],
      ['list members', members.list],
    );
  return [
    `| SCIM ${kind} | App route |`,
    '|---|---|',
    ...rows.filter(([, route]) => route || kind === 'User').map(([name, route]) => `| ${name} | ${call(route)} |`),
  ];
}

function mappingLines(mappings: ProposedMappings, idField: string | undefined): string[] {
  const unmatched = mappings.unmatched.filter((name) => name !== idField);
  return [
    ...mappings.matched.map((line) => `- \`${line.split(' ↔ ')[0]}\` ↔ ${line.split(' ↔ ').slice(1).join(' ↔ ')}`),
    ...(unmatched.length
      ? [
          '',
          `Not mapped (add them to the mappings, or declare them as custom fields): ${unmatched.map((name) => `\`${name}\``).join(', ')}.`,
        ]
      : []),
  ];
}

const ANSWERS: [string, string][] = [
  ['400', "`fail`: Entra gets 400 invalidValue with the rule's message (never the app's body)"],
  [
    '401',
    "`authFailed`: Entra gets 502 (the gateway's credentials are wrong), never a 401 that would quarantine the job",
  ],
  ['403', '`authFailed`, as 401; if the app also answers 403 when rate limited, add a rule with `when`'],
  ['404', '`notFound`: Entra gets 404 and the gateway forgets the mapping'],
  ['409', '`conflict`: on create, `onConflict: adopt` finds the existing object with list and links it'],
  ['422', '`fail` (a drafted rule): if some 422 means "already exists", add a `conflict` rule with `when` before it'],
  [
    '429',
    '`rateLimited`: waited out (Retry-After honoured) and retried; past the deadline Entra gets 503 with Retry-After',
  ],
];

/** The error answers the document lists for the collections, and what the draft makes of each. */
function answersTable(collections: Collection[]): string[] {
  const listed = ANSWERS.filter(([status]) => collections.some((collection) => collection.statuses.has(status)));
  if (!listed.length) return [];
  return [
    '## The answers the document lists',
    '',
    '| status | read as |',
    '|---|---|',
    ...listed.map(([status, meaning]) => `| ${status} | ${meaning} |`),
    '',
  ];
}

export function readmeText(input: ReadmeInput): string {
  const { names, info } = input;
  const lines = [
    `# ${names.title} connector (draft)`,
    '',
    `Drafted by \`scimgw connector from-openapi\` from ${names.title}${info.version ? ` ${info.version}` : ''}'s OpenAPI description. It is a`,
    'starting point, not a finished connector: every guess is marked `REVIEW` in the files and listed below.',
    '',
    '## Review before use',
    '',
    ...(input.review.length
      ? input.review.map((item) => `- ${item}`)
      : ['- (nothing flagged beyond the REVIEW comments)']),
    '- every `REVIEW` comment in connector.yaml and mappings/',
    "- the rate limit, and the vendor's documentation page it comes from",
    '- the source, version and licence of the document slice in openapi/',
    '- the recorded fixtures: they show what the document promises, not what the app does; replace the answers',
    '  with ones captured from a test tenant',
    '',
  ];
  if (input.users) lines.push('## Users', '', ...operationsTable('User', input.users), '');
  if (input.userMappings)
    lines.push(
      '### Attribute mapping (proposed by field name)',
      '',
      ...mappingLines(input.userMappings, input.users?.idField),
      '',
    );
  if (input.groups) lines.push('## Groups', '', ...operationsTable('Group', input.groups), '');
  if (input.groupMappings)
    lines.push(
      '### Attribute mapping (proposed by field name)',
      '',
      ...mappingLines(input.groupMappings, input.groups?.idField),
      '',
    );
  lines.push(...answersTable([input.users, input.groups].filter((collection) => collection !== undefined)));
  lines.push(
    '## Checking it',
    '',
    '```sh',
    `npm run scimgw -- connector validate ${input.folder}`,
    `npm run scimgw -- connector test ${input.folder}`,
    `npm run scimgw -- connector check-spec ${input.folder} --routes`,
    '```',
    '',
    'Then try it against a test tenant of the app with `npm run scimgw -- try` (a dry run: writes are never',
    'sent) before an Entra tenant provisions through it (docs/writing-a-connector.md).',
    '',
  );
  return lines.join('\n');
}
