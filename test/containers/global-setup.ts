import type { TestProject } from 'vitest/node';
import { ensureBaseImage } from './base-image.js';
import { buildImage } from './images.js';
import { serviceImages } from './play-manifests.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * The step images of both services' builds (images.ts, `stepImages`): the cache the next
     * run reuses, which a test that builds images of its own must leave in place.
     */
    serviceImageSteps: string[];
  }
}

/**
 * Before any container test: the base image (pulled, kept, or a stand-in), then both targets
 * of the Dockerfile, tagged with the references dist/ names so that its Deployments run them
 * unchanged.
 */
export async function setup(project: TestProject): Promise<void> {
  const started = Date.now();
  const base = await ensureBaseImage();
  console.warn(`container test: ${base.summary} (${Date.now() - started} ms)`);
  const steps: string[] = [];
  for (const [target, tag] of Object.entries(serviceImages())) {
    const building = Date.now();
    steps.push(...(await buildImage({ target, tag })));
    console.warn(`container test: built target ${target} as ${tag} (${Date.now() - building} ms)`);
  }
  project.provide('serviceImageSteps', steps);
}
