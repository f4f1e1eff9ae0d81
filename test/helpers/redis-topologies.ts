/**
 * Redis Sentinel and Redis Cluster on 127.0.0.1 for tests, from the same redis-server binary
 * (`--sentinel` mode; `cluster-enabled` nodes joined with redis-cli --cluster create).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedis, type RedisServer } from './redis-server.ts';

export interface Topology {
  nodes: { host: string; port: number }[];
  close(): Promise<void>;
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not come up`);
}

const cli = (port: number, ...args: string[]) =>
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });

function stopAll(children: ChildProcess[]): Promise<void> {
  return Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  ).then(() => undefined);
}

/** A master and one Sentinel watching it under the name "mymaster". */
export async function startSentinel(): Promise<Topology> {
  const master: RedisServer = await startRedis();
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor mymaster 127.0.0.1 ${master.port} 1\nsentinel resolve-hostnames no\n`,
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  await waitFor(
    () => cli(port, 'SENTINEL', 'get-master-addr-by-name', 'mymaster').stdout.includes(String(master.port)),
    'sentinel',
  );
  return {
    nodes: [{ host: '127.0.0.1', port }],
    async close() {
      await stopAll([child]);
      await master.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Three master nodes, slots spread over them. */
export async function startCluster(): Promise<Topology> {
  const dir = mkdtempSync(join(tmpdir(), 'scimgw-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const children = ports.map((port) =>
    spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    ),
  );
  for (const port of ports) await waitFor(() => cli(port, 'PING').stdout.startsWith('PONG'), `cluster node ${port}`);
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  await waitFor(
    () => ports.every((port) => cli(port, 'CLUSTER', 'INFO').stdout.includes('cluster_state:ok')),
    'cluster',
  );
  return {
    nodes: ports.map((port) => ({ host: '127.0.0.1', port })),
    async close() {
      await stopAll(children);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
