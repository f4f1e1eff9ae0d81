/**
 * Keeps every core busy for a bounded time, to run the test suite on a loaded machine:
 *
 *   npm run busy-cores -- [seconds=900] [workers=<cores>] &   then   npm test
 *
 * Each worker spins on arithmetic until the time is up (or the process is stopped); nothing else is touched.
 */
import { availableParallelism } from 'node:os';
import { isMainThread, Worker, workerData } from 'node:worker_threads';

if (isMainThread) {
  const seconds = Number(process.argv[2] ?? 900);
  const workers = Number(process.argv[3] ?? availableParallelism());
  if (!(seconds > 0 && seconds <= 7200) || !(workers >= 1 && workers <= 64)) {
    process.stderr.write('usage: npm run busy-cores -- [seconds 1..7200] [workers 1..64]\n');
    process.exit(2);
  }
  const until = Date.now() + seconds * 1000;
  process.stdout.write(`busy-cores: ${workers} workers for ${seconds} s (pid ${process.pid})\n`);
  for (let index = 0; index < workers; index++) new Worker(new URL(import.meta.url), { workerData: { until } });
} else {
  const { until } = workerData as { until: number };
  let x = 0;
  while (Date.now() < until) for (let index = 0; index < 1_000_000; index++) x = (x * 1103515245 + 12345) % 2147483648;
  if (x < 0) process.stdout.write(String(x));
}
