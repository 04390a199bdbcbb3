import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Local days are the unit of this project: run under a zone with DST to catch UTC-only bugs.
    env: { TZ: 'America/Los_Angeles' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each test file's temp folders are removed when it ends (test/helpers/temp-dir.ts).
    setupFiles: ['test/setup/temp-dirs.ts'],
  },
});
