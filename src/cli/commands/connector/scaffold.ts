/** `scimgw connector new`: writes a connector skeleton into <dir>/<name>/, refusing to touch an existing folder. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { scaffoldFiles, scaffoldNames } from './scaffold-files.ts';

const SCHEMA = resolve(import.meta.dirname, '..', '..', '..', '..', 'schemas', 'connector.schema.json');

/** Why a connector called `name` cannot be created under `parent`, or undefined when it can. */
export function scaffoldRefusal(name: string, parent: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    return `"${name}" is not a connector name: use lower-case letters, digits and dashes, starting with a letter or digit (it becomes the folder name and metadata.id)`;
  }
  const folder = join(parent, name);
  if (existsSync(folder)) return `${folder} already exists: choose another name, or remove the folder first`;
  return undefined;
}

/** Writes the skeleton (call scaffoldRefusal first); returns the folder and its files, relative to it. */
export function scaffoldConnector(name: string, parent: string): { folder: string; files: string[] } {
  const folder = join(parent, name);
  const schemaPath = relative(resolve(folder), SCHEMA).split(sep).join('/');
  const files = scaffoldFiles(scaffoldNames(name, schemaPath));
  for (const [path, content] of Object.entries(files)) {
    const file = join(folder, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { flag: 'wx' });
  }
  return { folder, files: Object.keys(files) };
}
