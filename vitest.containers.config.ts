import { defineConfig } from 'vitest/config';

/**
 * The container test (`npm run test:containers`): it builds the images with buildah and runs
 * dist/'s pods with podman, so it is kept out of `npm test`, whose config matches only
 * `*.test.ts`. The files share one podman storage and network names: they run one at a time.
 */
export default defineConfig({
  test: {
    include: ['test/containers/**/*.container-test.ts'],
    globalSetup: ['test/containers/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    // A broken variant's build runs `npm ci` again (from the npm cache).
    hookTimeout: 600_000,
  },
});
