import { defineConfig } from 'vitest/config';

/**
 * The image runtime test (`npm run test:image`): it needs bubblewrap and a build, so it is kept
 * out of `npm test`, whose config matches only `*.test.ts`.
 */
export default defineConfig({
  test: {
    // Everything the tests create in the temporary folder is removed after the run.
    globalSetup: ['test/support/temp-root.ts'],
    include: ['test/image/**/*.image-test.ts'],
    // Making the images runs `npm ci --omit=dev` (offline from the npm cache when it can).
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
