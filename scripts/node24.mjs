// Runs a TypeScript entry point (`node scripts/node24.mjs src/main.ts [args…]`) after checking the Node
// running it can: an older Node stops here with one line saying what to do, instead of a loader error
// about the ".ts" extension. With no entry point it only checks.
import { resolve } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { nodeProblem } from './node-version.mjs';

const problem = nodeProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
const entry = process.argv[2];
if (entry) {
  // The entry point sees the command line it would have had if Node had been started on it directly.
  process.argv.splice(1, 2, resolve(entry));
  await import(pathToFileURL(resolve(entry)).href);
}
