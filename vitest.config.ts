import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // DuckDB-backed tests run whole pipelines; keep them off each other's cores.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // Unit and pipeline tests: a fixed bound, generous for a loaded 2-core machine.
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, 'tests/e2e/**'], testTimeout: 120_000, hookTimeout: 120_000 },
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
