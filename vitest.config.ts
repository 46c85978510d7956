import { defineConfig } from 'vitest/config';

// Integration specs fork real processes; on a 2-core machine we keep at most
// two spec files running at once so that timing-sensitive specs stay honest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'lessons/**/check.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
