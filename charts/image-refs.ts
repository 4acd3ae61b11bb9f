import { pathToFileURL } from 'node:url';
import { resolveImage } from './constructs/web-settings.js';
import {
  selectedEnvironment,
  UnknownEnvironmentError,
  type AviaryEnvironment,
} from './environments.js';

/**
 * The services that ship as images: each is a Dockerfile target, a `WebService` of
 * `ServicesChart`, and an image `<imageRegistry>/aviary-<service>:<imageTag>`.
 */
export const SERVICES = ['bird', 'bird-image'] as const;

/** One of {@link SERVICES}. */
export type Service = (typeof SERVICES)[number];

/** Where one service's image is pushed to and pulled from. */
export interface ImageRef {
  /** Registry host to log in to, e.g. `ghcr.io`. */
  readonly host: string;
  /** Everything before the tag, e.g. `ghcr.io/aviary-dev/aviary-bird`. */
  readonly repository: string;
  /** The release the manifests pin, e.g. `0.1.0`. */
  readonly tag: string;
  /** `repository:tag`, exactly as the manifests write it. */
  readonly ref: string;
}

/**
 * The image of every service in `env`, computed as the charts compute it (the same
 * `resolveImage`), so the workflows push exactly what `dist/` pulls.
 *
 * @example
 * imageRefs(production).bird.ref; // 'ghcr.io/aviary-dev/aviary-bird:0.1.0'
 */
export function imageRefs(env: AviaryEnvironment): Record<Service, ImageRef> {
  const entries = SERVICES.map((service) => {
    const ref = resolveImage(`image-refs "${service}"`, service, {
      registry: env.imageRegistry,
      tag: env.imageTag,
    });
    const repository = ref.slice(0, ref.lastIndexOf(':'));
    const host = repository.split('/')[0]!;
    return [service, { host, repository, tag: env.imageTag, ref }] as const;
  });
  return Object.fromEntries(entries) as Record<Service, ImageRef>;
}

// `node --import tsx charts/image-refs.ts` prints the refs as one line of JSON, for the
// workflows (`fromJSON`, `jq`); `AVIARY_ENV` picks the environment, as for `npm run synth`.
// A mistyped name stops it with one line and exit code 2.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    process.stdout.write(`${JSON.stringify(imageRefs(selectedEnvironment()))}\n`);
  } catch (error) {
    if (!(error instanceof UnknownEnvironmentError)) throw error;
    process.stderr.write(`image-refs: ${error.message}\n`);
    process.exit(2);
  }
}
