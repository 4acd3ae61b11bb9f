import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Everything the tests create in the temporary folder is removed after the run.
    globalSetup: ['test/support/temp-root.ts'],
    include: ['test/**/*.test.ts'],
    // Two test files at once. Vitest's default is one fewer than the cores, so one on 2 cores,
    // but most files spend their time waiting on real servers, processes, Prometheus and
    // promtool, not on the CPU: on 2 cores, two workers took the suite from about 140 s to
    // 100 s, and a third won 10 s more at the price of more contention for the timing tests.
    maxWorkers: 2,
    // Tests start real servers and child processes; a slow CI core must not fail them.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
