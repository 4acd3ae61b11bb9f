import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Everything the tests create in the temporary folder is removed after the run.
    globalSetup: ['test/support/temp-root.ts'],
    include: ['test/**/*.test.ts'],
    // Tests start real servers and child processes; a slow CI core must not fail them.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
