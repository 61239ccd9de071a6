import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The CLI and crash tests run dist/: rebuilt first whenever a source is newer (never stale).
    globalSetup: ['test/support/build-if-stale.ts'],
  },
});
