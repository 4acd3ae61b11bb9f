import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UNSPLASH_SECRET_KEY, UNSPLASH_SECRET_NAME } from '../../charts/services-chart.js';
import type { ConfigMap, Deployment, KubeObject } from '../support/k8s-types.js';
import { npm } from '../support/npm.js';
import { dockerfileBase } from './base-image.js';
import { REPO_ROOT, readDockerfile } from '../image/dockerfile.js';
import { podman } from './engine.js';
import { BuildFailed, buildImage, type BuildRequest } from './images.js';
import {
  forPodman,
  genericSecret,
  objectNamed,
  servicesObjects,
  withConfigMapData,
} from './play-manifests.js';
import { LocalCluster } from './pods.js';

// The container test fails when the Dockerfile or the pod spec is broken: each break below is
// made in a copy, and what pods.container-test.ts does to start the pods must reject.

const NETWORK = 'aviary-containers-breaks';
// birdImage alone: both images share the stages a break touches, and it needs no other pod.
const SERVICE = 'bird-image';
const objects = servicesObjects();
// Moving a dependency changes package.json: the build stages run `npm ci` again (from the cache).
const BUILD_TIMEOUT_MS = 600_000;
/** The images built only to be broken, removed after the tests whatever their outcome. */
const BROKEN_IMAGES = {
  dependency: `localhost/aviary-${SERVICE}:broken-dependency`,
  copy: `localhost/aviary-${SERVICE}:broken-copy`,
};
/** The step images of their builds (images.ts, `stepImages`), in build order. */
const brokenSteps: string[] = [];

let cluster: LocalCluster;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'aviary-breaks-'));
  cluster = new LocalCluster(NETWORK, dockerfileBase());
  await cluster.start(objects);
});

afterEach(async () => {
  await cluster.down();
});

afterAll(async () => {
  try {
    await cluster?.stop();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  } finally {
    await removeBrokenImages();
  }
});

/** Builds a broken variant, recording its step images even when the build fails. */
async function buildBroken(request: BuildRequest): Promise<void> {
  try {
    brokenSteps.push(...(await buildImage(request)));
  } catch (error) {
    if (error instanceof BuildFailed) brokenSteps.push(...error.stepImages);
    throw error;
  }
}

/**
 * Removes the broken variants and the step images only their builds used, each child before its
 * parent, so that runs leave nothing behind. The step images of the services' own builds stay:
 * a broken variant shares its first stages with them, and they are the next run's cache.
 */
async function removeBrokenImages(): Promise<void> {
  await podman(['rmi', '--ignore', ...Object.values(BROKEN_IMAGES)]);
  const kept = new Set(inject('serviceImageSteps'));
  if (kept.size === 0) throw new Error('global-setup.ts provided no step images of the services');
  for (const id of brokenSteps.filter((step) => !kept.has(step)).reverse()) {
    await podman(['rmi', '--ignore', id]);
  }
}

/**
 * Plays birdImage's Deployment and ConfigMap as dist/ has them, but for `image` and `change`;
 * resolves with the running containers, or rejects as the container test would.
 */
async function playBirdImage({
  image,
  change = (played) => played,
}: {
  image?: string;
  change?: (o: KubeObject[]) => KubeObject[];
}) {
  const own = objects.filter(
    (object) =>
      ['Deployment', 'ConfigMap'].includes(object.kind) && object.metadata.name === SERVICE,
  );
  const played = change(forPodman(own));
  if (image) {
    objectNamed<Deployment>(played, 'Deployment', SERVICE).spec.template.spec.containers[0]!.image =
      image;
  }
  const namespace = own[0]!.metadata.namespace!;
  const secret = genericSecret(UNSPLASH_SECRET_NAME, namespace, { [UNSPLASH_SECRET_KEY]: 'any' });
  return cluster.play(played, [secret]);
}

describe('the container test fails', () => {
  it(
    'when a runtime dependency is moved to devDependencies',
    async () => {
      const context = await contextWithDevDependency('pino');
      const image = BROKEN_IMAGES.dependency;
      await buildBroken({ target: SERVICE, tag: image, context });

      await expect(playBirdImage({ image })).rejects.toThrow(/Cannot find package 'pino'/);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    'when a COPY is dropped from the Dockerfile',
    async () => {
      const copy = 'COPY --from=build /app/build/apps/shared ./build/apps/shared\n';
      const dockerfile = readDockerfile();
      expect(dockerfile).toContain(copy);
      const broken = path.join(scratch, 'Dockerfile.without-shared');
      await writeFile(broken, dockerfile.replace(copy, ''));
      const image = BROKEN_IMAGES.copy;
      await buildBroken({ target: SERVICE, tag: image, dockerfile: broken });

      await expect(playBirdImage({ image })).rejects.toThrow(/ERR_MODULE_NOT_FOUND/);
    },
    BUILD_TIMEOUT_MS,
  );

  // A service that writes beside its code, simulated by a module its NODE_OPTIONS loads first.
  const writing = (file: string) => (played: KubeObject[]) => {
    const { NODE_OPTIONS = '' } = objectNamed<ConfigMap>(played, 'ConfigMap', SERVICE).data ?? {};
    const write = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(file)}, '{}');`;
    return withConfigMapData(played, SERVICE, {
      NODE_OPTIONS: `${NODE_OPTIONS} --import=data:text/javascript,${encodeURIComponent(write)}`,
    });
  };

  it('when the pod writes outside /tmp (and not when it writes to /tmp)', async () => {
    await expect(playBirdImage({ change: writing('/app/cache.json') })).rejects.toThrow(/EROFS/);
    await cluster.down();

    await expect(playBirdImage({ change: writing('/tmp/cache.json') })).resolves.toHaveLength(1);
  });
});

/**
 * A build context whose package.json lists `dependency` under devDependencies, and whose lock
 * file follows, as `npm install -D <dependency>` would leave them.
 */
async function contextWithDevDependency(dependency: string): Promise<string> {
  const context = path.join(scratch, `context-${dependency}`);
  for (const entry of [
    '.dockerignore',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'apps',
  ]) {
    await cp(path.join(REPO_ROOT, entry), path.join(context, entry), { recursive: true });
  }
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const version = manifest.dependencies[dependency];
  expect(version, `${dependency} is a runtime dependency`).toBeDefined();
  delete manifest.dependencies[dependency];
  manifest.devDependencies[dependency] = version!;
  await writeFile(path.join(context, 'package.json'), JSON.stringify(manifest, null, 2));
  await npm(
    [
      'install',
      '--package-lock-only',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
    ],
    context,
  );
  return context;
}
