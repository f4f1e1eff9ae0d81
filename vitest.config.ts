import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects, run together by `npm test` (or one at a time: `npx vitest run --project unit`):
// unit      pure modules and single components, no network beyond loopback servers they start themselves;
// integration  the gateway, stores (their own redis-server), connectors' fixtures and the demo app, end to end;
// cli       scimgw commands in process, one spawned smoke test per command, and the tutorial followed literally.
export default defineConfig({
  test: {
    exclude: ['test/live/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default leaves one core free, which on a 2-core machine runs every file in one process;
    // the suite waits on sockets and child processes as much as on CPU, so two workers halve its time.
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'test/{scim,core,outbound,config,http,connectors,deploy,observability}/**/*.test.ts',
            'test/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/{integration,store,contract,demo-app}/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'cli', include: ['test/{cli,docs}/**/*.test.ts'] } },
    ],
  },
});
