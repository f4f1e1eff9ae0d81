/**
 * `scimgw conformance <scim-base-url> --token <t>`: replays Entra's provisioning requests against any SCIM
 * endpoint (this gateway or another server) and says, check by check, what Entra would trip over. It
 * creates users and a group with a random tag in their names and deletes them again at the end.
 */
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliIo } from '../io.ts';
import { toMilliseconds } from '../../config/duration.ts';
import { resolveSecret } from '../../config/secrets.ts';
import { CHECKS } from '../../conformance/check-list.ts';
import { ScimClient, parseBaseUrl } from '../../conformance/client.ts';
import { formatResult, runChecks } from '../../conformance/runner.ts';
import { UndiciTransport } from '../../outbound/transport.ts';

/** "30" is seconds; "500ms", "30s", "1m" as in config files. */
function parseTimeout(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value)
    ? Number(value) * 1000
    : /^\d+(\.\d+)?\s*(ms|s|m)$/.test(value)
      ? toMilliseconds(value)
      : NaN;
  if (!(ms > 0)) throw new Error(`--timeout "${value}" is not a duration: give seconds (30) or e.g. 500ms, 30s, 1m`);
  return ms;
}

/** A literal token, or env:NAME / file:/path so it need not appear in the process list or shell history. */
function resolveToken(value: string, env: NodeJS.ProcessEnv): string {
  return value.startsWith('env:') || value.startsWith('file:') ? resolveSecret(value, '--token', env) : value;
}

export function register(program: Command, io: CliIo): void {
  program
    .command('conformance')
    .description(
      "Check a SCIM endpoint the way Microsoft Entra provisioning uses it: Entra's requests, one PASS/FAIL line per check",
    )
    .argument('<scim-base-url>', "the SCIM base URL (Entra's Tenant URL), e.g. http://127.0.0.1:8080/apps/demo/scim/v2")
    .requiredOption(
      '--token <token>',
      "the bearer token (Entra's Secret Token); env:NAME or file:/path read it from there",
    )
    .option('--timeout <duration>', 'per request: seconds, or e.g. 500ms, 30s, 1m', '30')
    .addHelpText(
      'after',
      '\nCreates users and a group named scimgw-conformance-<random tag>-… and deletes them at the end.\nExit status: 0 every check passed, 1 a check failed, 2 the command could not run.',
    )
    .action(async (baseUrl: string, options: { token: string; timeout: string }) => {
      parseBaseUrl(baseUrl);
      const timeoutMs = parseTimeout(options.timeout);
      const token = resolveToken(options.token, io.env);
      const transport = new UndiciTransport({ connections: 4 });
      const client = new ScimClient({ baseUrl, token, timeoutMs, transport });
      const tag = randomBytes(4).toString('hex');
      try {
        const report = await runChecks(CHECKS, { client, tag, state: {}, created: [] }, (result) =>
          io.out(`${formatResult(result)}\n`),
        );
        for (const leftover of report.leftovers) io.out(`could not clean up ${leftover}; delete it by hand\n`);
        io.out(`${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped\n`);
        io.exitCode = report.failed > 0 ? 1 : 0;
      } finally {
        await transport.close();
      }
    });
}
