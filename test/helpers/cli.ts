/**
 * scimgw run in this process, as its main does (runCli), with output captured: quick, and the servers a
 * test starts keep answering while a command runs. test/cli/smoke.test.ts spawns each command once for
 * real.
 */
import { captureIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/program.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function scimgw(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const io = captureIo(options.cwd ?? process.cwd(), options.env ?? process.env);
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}
