import { defineConfig } from 'vitest/config';

// Live suites against real apps on 127.0.0.1 (Redmine, Mailman): `.ci/run` installs and starts them, then
// runs `npm run test:live`. They are not part of `npm test`, which needs nothing but this repository.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
