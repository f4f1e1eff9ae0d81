#!/usr/bin/env node
/** scimgw: the gateway's command line. Each command group lives in its own module under commands/. */
import { processIo } from './io.ts';
import { runCli } from './program.ts';

process.exitCode = await runCli(process.argv.slice(2), processIo());
