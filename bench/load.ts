/** The closed-loop load generator and process accounting shared by the benches. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Pool } from 'undici';

export interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
  expect: number;
}

export interface Result {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU per request, from its /proc accounting (user + system). */
  cpuPerRequest: number;
  errors: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url: string, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url, { headers })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not come up`);
}

export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100/s)
  return ticks * 10_000;
}

export function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) * 1024;
}

/**
 * Waits, at most `maxMs`, until process `pid` spends under 10 % of a core (one clock tick per 100 ms).
 * Work a request leaves behind (WAL checkpoints on the store's thread, collecting its garbage) belongs
 * to that request, not to whatever the next measurement happens to be.
 */
async function settled(pid: number, maxMs = 3000): Promise<void> {
  const until = performance.now() + maxMs;
  let before = cpuMicros(pid);
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpuMicros(pid);
    if (now - before <= 10_000) return;
    before = now;
  }
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * `concurrency` loops sending `next(i)` for `seconds`; CPU is read from the server process `pid`, up to
 * when it has finished what the load left it to do.
 */
export async function load(
  pool: Pool,
  next: (i: number) => Request,
  pid: number,
  options: { seconds: number; concurrency: number },
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let counter = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const cpuBefore = cpuMicros(pid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) {
        const request = next(counter++);
        const t0 = performance.now();
        const response = await pool.request({
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body,
        });
        await response.body.text();
        latencies.push(performance.now() - t0);
        if (response.statusCode !== request.expect) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await settled(pid);
  const cpu = cpuMicros(pid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    rps: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    cpuPerRequest: cpu / latencies.length,
    errors,
  };
}
