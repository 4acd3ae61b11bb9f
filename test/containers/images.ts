import path from 'node:path';
import { REPO_ROOT } from '../image/dockerfile.js';
import { run } from './engine.js';

/** One `buildah build` of a Dockerfile target. */
export interface BuildRequest {
  /** The Dockerfile target, e.g. `bird`. */
  readonly target: string;
  /** The reference to tag the image with. */
  readonly tag: string;
  /**
   * The build context.
   * @default the repository
   */
  readonly context?: string;
  /**
   * The Dockerfile.
   * @default the repository's
   */
  readonly dockerfile?: string;
}

/**
 * Builds `target` of the Dockerfile with buildah, as `docker build --target` would: chroot
 * isolation (no daemon, no nested user namespace), the base taken from local storage (see
 * base-image.ts), and layers cached, so that the second target and later runs reuse the stages
 * they share. Rejects with buildah's output when the build fails.
 */
export async function buildImage({
  target,
  tag,
  context = REPO_ROOT,
  dockerfile = path.join(REPO_ROOT, 'Dockerfile'),
}: BuildRequest): Promise<void> {
  await run('buildah', [
    'build',
    '--isolation',
    'chroot',
    '--pull=never',
    '--layers',
    '--quiet',
    '--target',
    target,
    '--tag',
    tag,
    '--file',
    dockerfile,
    context,
  ]);
}
