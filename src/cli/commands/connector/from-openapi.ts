/**
 * `scimgw connector from-openapi <document> --users <path> [--groups <path>]`: drafts a connector folder
 * from a vendor's OpenAPI document (docs/writing-a-connector.md, "Start from the vendor's OpenAPI
 * document"), then prints what needs a person before the draft is trusted.
 */
import { resolve } from 'node:path';
import { draftConnector } from '../../../connectors/openapi/draft/draft.ts';

const SCHEMA = resolve(import.meta.dirname, '..', '..', '..', '..', 'schemas', 'connector.schema.json');

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function fromOpenApiCommand(document: string, options: { users?: string; groups?: string; dir: string; name?: string }): Promise<void> {
  if (!options.users && !options.groups) {
    process.stderr.write('scimgw connector from-openapi: name the collection to provision with --users <path> and/or --groups <path> (paths as the document writes them, e.g. /users)\n');
    process.exitCode = 1;
    return;
  }
  if (options.name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(options.name)) {
    process.stderr.write(`scimgw connector from-openapi: --name ${options.name}: use lower-case letters, digits and dashes\n`);
    process.exitCode = 1;
    return;
  }
  let draft;
  try {
    draft = await draftConnector({ file: document, parent: options.dir, schemaFile: SCHEMA, ...(options.users ? { users: options.users } : {}), ...(options.groups ? { groups: options.groups } : {}), ...(options.name ? { name: options.name } : {}) });
  } catch (error) {
    process.stderr.write(`scimgw connector from-openapi: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  out(`drafted ${draft.dir}/`);
  for (const file of draft.files) out(`  ${file}`);
  if (draft.review.length) {
    out('review before use (also marked REVIEW in the files):');
    for (const item of draft.review) out(`  - ${item}`);
  }
  out(`next: read ${draft.dir}/README.md, then scimgw connector validate, test and check-spec ${draft.dir}`);
}
