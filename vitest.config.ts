import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // DuckDB-backed tests run whole pipelines; keep them off each other's cores.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // Unit and pipeline tests: no fixed wall clock either. A loaded 2-core machine
        // runs a pipeline many times slower than a quiet one, and slow is not broken;
        // .ci/run bounds the whole run instead.
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, 'tests/e2e/**'], testTimeout: 0, hookTimeout: 0 },
      },
      {
        extends: true,
        // The suites over the whole built site (a crawl of ~80,000 URLs, Chromium on every
        // page kind) take as long as the machine makes them: no fixed wall clock here, the
        // CI runner's own limit serves. Smaller tests in these files set their own bound;
        // Playwright keeps its own timeouts for launching and navigating.
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 0, hookTimeout: 0 },
      },
    ],
  },
});
