import { ensureBaseImage } from './base-image.js';
import { buildImage } from './images.js';
import { serviceImages } from './play-manifests.js';

/**
 * Before any container test: the base image (pulled, kept, or a stand-in), then both targets
 * of the Dockerfile, tagged with the references dist/ names so that its Deployments run them
 * unchanged.
 */
export async function setup(): Promise<void> {
  const started = Date.now();
  const base = await ensureBaseImage();
  console.warn(`container test: ${base.summary} (${Date.now() - started} ms)`);
  for (const [target, tag] of Object.entries(serviceImages())) {
    const building = Date.now();
    await buildImage({ target, tag });
    console.warn(`container test: built target ${target} as ${tag} (${Date.now() - building} ms)`);
  }
}
