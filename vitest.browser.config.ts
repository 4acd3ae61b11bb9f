import { defineConfig } from 'vitest/config';

/**
 * The browser test (`npm run test:browser`): it needs Chromium (the Debian package), so it is
 * kept out of `npm test`, whose config matches only `*.test.ts`; `.ci/run` installs Chromium
 * and runs it.
 */
export default defineConfig({
  test: {
    // Everything the tests create in the temporary folder is removed after the run.
    globalSetup: ['test/support/temp-root.ts'],
    include: ['test/browser/**/*.browser-test.ts'],
    // Each case starts both services and a browser page.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
