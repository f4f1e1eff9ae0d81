#!/usr/bin/env node
/** scimgw: the gateway's command line. Each command group lives in its own module under commands/. */
import { Command } from 'commander';
import { register as registerStore } from './commands/store-copy.ts';
import { register as registerConnector } from './commands/connector.ts';
import { register as registerTry } from './commands/try.ts';
import { register as registerConformance } from './commands/conformance.ts';

const program = new Command('scimgw').description('SCIM gateway tools for connector authors, Entra admins and ops').showHelpAfterError();
for (const register of [registerStore, registerConnector, registerTry, registerConformance]) register(program);

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`scimgw: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
