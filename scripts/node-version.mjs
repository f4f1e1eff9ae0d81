// Plain JavaScript on purpose: this must run on any Node, including the old ones it turns away, which
// cannot load the project's TypeScript (type stripping and node:sqlite arrived in later majors).

/** The oldest major the project runs on; package.json's engines and its node@24 dependency say the same. */
export const REQUIRED_MAJOR = 24;

/** One line saying what to do when `version` (process.versions.node) is too old; undefined when it will do. */
export function nodeProblem(version) {
  const major = Number(String(version).split('.')[0]);
  if (major >= REQUIRED_MAJOR) return undefined;
  return (
    `scim-gateway needs Node ${REQUIRED_MAJOR} or later, and this is Node ${version}: run \`npm ci\` without ` +
    `--ignore-scripts (it installs the project's own Node ${REQUIRED_MAJOR} into node_modules/.bin, which npm ` +
    `scripts use), or put Node ${REQUIRED_MAJOR} first on PATH.`
  );
}
