import { defineConfig } from 'vitest/config';

// Integration specs fork real processes; on a 2-core machine we keep at most
// two spec files running at once so that timing-sensitive specs stay honest.
//
// Two projects: "source" is every spec, run against src/ (workers under
// tsx); "package" runs the integration specs again with the scenario
// programs compiled to JavaScript on plain node, against the packed package
// (test/helpers/package.ts), as a user installs it.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: 'source', include: ['test/**/*.test.ts', 'lessons/**/check.test.ts'] } },
      { extends: true, test: { name: 'package', include: ['test/integration/**/*.test.ts'], env: { MINI_CLUSTER_SPEC_TARGET: 'package' } } },
    ],
  },
});
