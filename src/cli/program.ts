/** scimgw's commands as one commander program that writes only through its CliIo, so it can run in process. */
import { Command, CommanderError } from 'commander';
import { register as registerConformance } from './commands/conformance.ts';
import { register as registerConnector } from './commands/connector.ts';
import { register as registerDrift } from './commands/drift.ts';
import { register as registerSnapshot } from './commands/snapshot.ts';
import { register as registerStore } from './commands/store-copy.ts';
import { register as registerTry } from './commands/try.ts';
import type { CliIo } from './io.ts';

export function program(io: CliIo): Command {
  const root = new Command('scimgw')
    .description('SCIM gateway tools for connector authors, Entra admins and ops')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  // Subcommands made from here on inherit the override and the output (commander copies them).
  for (const register of [
    registerStore,
    registerConnector,
    registerTry,
    registerConformance,
    registerSnapshot,
    registerDrift,
  ])
    register(root, io);
  return root;
}

/** Runs one command line (without "node scimgw"); resolves to its exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: 'user' });
    return io.exitCode;
  } catch (error) {
    // Help, a version, or a usage error commander has already printed.
    if (error instanceof CommanderError) return error.exitCode;
    io.err(`scimgw: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
