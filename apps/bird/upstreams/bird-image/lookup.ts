import { photoStrings, type Photo, type PhotoSource } from '../../../shared/photo.js';
import type { CachedLookup } from '../../../shared/upstream/cached-lookup.js';
import { BREAKER_HALF_OPEN_AFTER_MS } from '../../../shared/upstream/upstream-client.js';
import {
  upstreamLookup,
  type UpstreamCall,
  type UpstreamLookupOptions,
  type UpstreamProtocol,
} from '../../../shared/upstream/upstream-lookup.js';
import { readPhotoAnswer, type PhotoAnswer } from './answer.js';
import { photoRequest } from './request.js';

/**
 * How long bird reuses birdImage's default image (an answer marked `no-store`): a fifth of the
 * time an open breaker waits for its trial call, 2 s. Unsplash's recovery reaches birdImage at
 * its breaker's next trial call; bird then shows real photos within this long. Not zero: while
 * Unsplash is down, each name costs birdImage one call per this long, not one per request.
 */
export const DEFAULT_IMAGE_TTL_MS = BREAKER_HALF_OPEN_AFTER_MS / 5;

const BIRD_IMAGE: UpstreamProtocol<PhotoAnswer> = {
  cache: {
    ttlMs: 5 * 60 * 1000,
    missTtlMs: DEFAULT_IMAGE_TTL_MS,
    maxEntries: 1000,
    maxBytes: 2 * 1024 * 1024,
  },
  calls: 'birdImage lookups',
  request: photoRequest,
  parse: readPhotoAnswer,
  strings: (answer) => photoStrings(answer.photo),
  // The default image, which birdImage marks `no-store`, is kept for DEFAULT_IMAGE_TTL_MS only.
  isMiss: (answer) => answer.briefly,
};

/**
 * Asks birdImage for a bird's photo. Answers are cached for a few minutes, so a steady stream of
 * requests for the same few hundred birds costs birdImage one call per bird per TTL; birdImage
 * keeps its own, longer cache in front of Unsplash. An answer birdImage marks `no-store` (its
 * default image, given when Unsplash fails) is kept for seconds only, so a recovered Unsplash
 * shows on bird soon after birdImage sees it.
 */
export class BirdImageLookup implements PhotoSource {
  readonly #cache: CachedLookup<PhotoAnswer, UpstreamCall>;

  /** @param options `url` is birdImage's base URL, without a trailing slash. */
  constructor(options: UpstreamLookupOptions) {
    this.#cache = upstreamLookup(BIRD_IMAGE, options);
  }

  /** The photo birdImage gives for `birdName`, never `null`. Rejects when birdImage fails. */
  async photoFor(birdName: string, call: UpstreamCall): Promise<Photo> {
    return (await this.#cache.get(birdName, call)).photo;
  }
}
