/**
 * Gateway replicas as real processes (`node src/main.ts --config …`) sharing one Redis and one demo app,
 * for the tests that must see several replicas, crashes and outages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './redis-server.ts';
import { ROOT, TOKEN } from './stack.ts';

export interface Replica {
  url: string;
  base: string;
  process: ChildProcess;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function writeReplicaConfig(
  dir: string,
  options: {
    redisUrl: string;
    demoUrl: string;
    lockLease?: string;
    requestTimeout?: string;
    prefix?: string;
    /** apps[].snapshot.every, to keep an app snapshot. */
    snapshotEvery?: string;
  },
): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    `apiVersion: scimgw/v1
kind: Gateway
server: { host: 127.0.0.1, port: 0, requestTimeout: ${options.requestTimeout ?? '10s'} }
store: { type: redis, url: "${options.redisUrl}", lockLease: ${options.lockLease ?? '2s'}, prefix: ${options.prefix ?? 'scimgw'} }
connectorDirs: ["${join(ROOT, 'connectors')}"]
apps:
  - id: demo
    connector: demo
    tokens: [env:SCIM_TOKEN]
    settings: { baseUrl: "${options.demoUrl}" }
    secrets: { apiKey: env:DEMO_KEY }
    rateLimit: { requests: 0, concurrency: 32 }
${options.snapshotEvery ? `    snapshot: { every: ${options.snapshotEvery} }\n` : ''}`,
  );
  return file;
}

export async function startReplica(configFile: string): Promise<Replica> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(ROOT, 'src/main.ts'), '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, SCIM_TOKEN: TOKEN, DEMO_KEY: 'demo-key', PORT: String(port), LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // The config says port 0; main.ts honours PORT for the demo only, so read the port from the banner.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start:\n${output}`)), 15_000);
    const check = () => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/apps\/demo\/scim\/v2/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}:\n${output}`)));
  });
  return {
    url,
    base: `${url}/apps/demo/scim/v2`,
    process: child,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill(signal);
      });
    },
  };
}

export async function scimCall(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
