/** Runs the demo app on its own: `npm run demo:app`. Configuration comes from DEMO_APP_* variables. */
import { randomBytes } from 'node:crypto';
import { createDemoApp } from './server.ts';

function intFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

async function main(): Promise<void> {
  const port = intFromEnv('DEMO_APP_PORT', 8090, 0);
  const rate = intFromEnv('DEMO_APP_RATE', 0, 0);
  const host = process.env.DEMO_APP_HOST || '127.0.0.1';
  // A random key by default, so a forgotten demo instance is not an open door.
  const apiKey = process.env.DEMO_APP_API_KEY || randomBytes(18).toString('base64url');
  const snapshotFile = process.env.DEMO_APP_DATA || undefined;

  const app = createDemoApp({ apiKey, rate, snapshotFile });
  const { url } = await app.listen(port, host);
  console.log(
    `Demo app listening on ${url} (rate ${rate || 'unlimited'}/s) - try: curl -H 'X-Api-Key: ${apiKey}' ${url}/api/users`,
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`Demo app: ${signal} received, shutting down`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Demo app: error while closing', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`Demo app failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
