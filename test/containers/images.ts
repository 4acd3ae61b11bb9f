import path from 'node:path';
import { REPO_ROOT } from '../image/dockerfile.js';
import { lastLines, run } from './engine.js';

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

/** A failed build, with the images its steps made or took from the cache before it failed. */
export class BuildFailed extends Error {
  constructor(
    message: string,
    readonly stepImages: readonly string[],
  ) {
    super(message);
  }
}

/**
 * The image of each step of a build, made or taken from the cache, in build order: buildah
 * prints `--> <id>` after each step of every stage (11 hex digits, and the full id with
 * `--> Using cache` before it). Ids are cut to those 11 digits, which name an image to podman.
 */
export function stepImages(output: string): string[] {
  const ids = [...output.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map(([, id]) =>
    id!.slice(0, STEP_ID_LENGTH),
  );
  return [...new Set(ids)];
}

const STEP_ID_LENGTH = 11;

/**
 * Builds `target` of the Dockerfile with buildah, as `docker build --target` would: chroot
 * isolation (no daemon, no nested user namespace), the base taken from local storage (see
 * base-image.ts), and layers cached, so that the second target and later runs reuse the stages
 * they share. Resolves with the {@link stepImages} of the build, every stage's (a stage another
 * copies from is no ancestor of the image, yet stays in storage as its cache); rejects with
 * buildah's output and those images when the build fails.
 */
export async function buildImage({
  target,
  tag,
  context = REPO_ROOT,
  dockerfile = path.join(REPO_ROOT, 'Dockerfile'),
}: BuildRequest): Promise<string[]> {
  const args = [
    'build',
    '--isolation',
    'chroot',
    '--pull=never',
    '--layers',
    '--target',
    target,
    '--tag',
    tag,
    '--file',
    dockerfile,
    context,
  ];
  const { code, stdout, stderr } = await run('buildah', args, { check: false });
  const steps = stepImages(stdout);
  if (code !== 0) {
    const ended = code === null ? 'was killed' : `exited with ${code}`;
    throw new BuildFailed(
      `buildah ${args.join(' ')} ${ended}:\n${lastLines(`${stdout}\n${stderr}`)}`,
      steps,
    );
  }
  return steps;
}
