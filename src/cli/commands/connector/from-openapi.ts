/**
 * `scimgw connector from-openapi <document> --users <path> [--groups <path>]`: drafts a connector folder
 * from a vendor's OpenAPI document (docs/writing-a-connector.md, "Start from the vendor's OpenAPI
 * document"), then prints what needs a person before the draft is trusted.
 */
import { resolve } from 'node:path';
import { draftConnector } from '../../../connectors/openapi/draft/draft.ts';
import { pathFrom, referenceFrom, type CliIo } from '../../io.ts';

const SCHEMA = resolve(import.meta.dirname, '..', '..', '..', '..', 'schemas', 'connector.schema.json');

export async function fromOpenApiCommand(
  io: CliIo,
  document: string,
  options: { users?: string; groups?: string; dir: string; name?: string },
): Promise<void> {
  const out = (line: string) => io.out(`${line}\n`);
  const refuse = (why: string) => {
    io.err(`scimgw connector from-openapi: ${why}\n`);
    io.exitCode = 1;
  };
  if (!options.users && !options.groups)
    return refuse(
      'name the collection to provision with --users <path> and/or --groups <path> (paths as the document writes them, e.g. /users)',
    );
  if (options.name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(options.name))
    return refuse(`--name ${options.name}: use lower-case letters, digits and dashes`);
  let draft;
  try {
    draft = await draftConnector({
      file: referenceFrom(io, document),
      parent: pathFrom(io, options.dir),
      cwd: io.cwd,
      schemaFile: SCHEMA,
      ...(options.users ? { users: options.users } : {}),
      ...(options.groups ? { groups: options.groups } : {}),
      ...(options.name ? { name: options.name } : {}),
    });
  } catch (error) {
    return refuse((error as Error).message);
  }
  out(`drafted ${draft.dir}/`);
  for (const file of draft.files) out(`  ${file}`);
  if (draft.review.length) {
    out('review before use (also marked REVIEW in the files):');
    for (const item of draft.review) out(`  - ${item}`);
  }
  out(`next: read ${draft.dir}/README.md, then scimgw connector validate, test and check-spec ${draft.dir}`);
}
