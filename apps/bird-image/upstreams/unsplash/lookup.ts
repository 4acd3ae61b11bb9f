import type { Logger } from '../../../shared/logger.js';
import { photoStrings, type Photo, type PhotoSource } from '../../../shared/photo.js';
import type { CachedLookup } from '../../../shared/upstream/cached-lookup.js';
import {
  upstreamLookup,
  type UpstreamCall,
  type UpstreamLookupOptions,
  type UpstreamProtocol,
} from '../../../shared/upstream/upstream-lookup.js';
import { readSearchAnswer, type SearchAnswer } from './answer.js';
import { searchQuery, searchRequest } from './request.js';

/** What {@link UnsplashLookup} checks photo URLs against, and where it says what it refused. */
export interface PhotoUrlChecks {
  /** Hosts a photo URL may point at (see `imageUrlRefusal`). */
  readonly imageHosts: readonly string[];
  readonly logger: Logger;
}

function unsplash({ imageHosts, logger }: PhotoUrlChecks): UpstreamProtocol<SearchAnswer> {
  return {
    cache: {
      ttlMs: 24 * 60 * 60 * 1000,
      // Shorter: a retry may find one.
      missTtlMs: 60 * 60 * 1000,
      maxEntries: 1000,
      maxBytes: 2 * 1024 * 1024,
    },
    calls: 'Unsplash searches',
    request: searchRequest,
    parse: (body) => {
      const answer = readSearchAnswer(body, imageHosts);
      // The reason and size only: the URL itself is what must not travel on. Cached as "no photo".
      if (answer.refusal) logger.warn(answer.refusal, 'Unsplash photo URL refused');
      return answer;
    },
    strings: (answer) => photoStrings(answer.photo),
    isMiss: (answer) => answer.photo === null,
  };
}

/**
 * Finds the photo of a bird by name on Unsplash, behind a cache: Unsplash's demo tier allows 50
 * requests an hour, so each name is looked up once per TTL, and concurrent lookups of it share
 * one call. With a `budget`, a flood of new names gets the default image once it is spent, and
 * can neither exhaust the Unsplash quota nor evict more than its worth of the cache.
 */
export class UnsplashLookup implements PhotoSource {
  readonly #cache: CachedLookup<SearchAnswer, UpstreamCall>;

  /** @param options `url` is the Unsplash API's base URL, without a trailing slash. */
  constructor(options: UpstreamLookupOptions, checks: PhotoUrlChecks) {
    this.#cache = upstreamLookup(unsplash(checks), options);
  }

  /**
   * A photo of `birdName`, or `null` when there is none: no name, or nothing found. Rejects
   * when Unsplash fails or the search budget is spent; the route answers a fallback.
   */
  async photoFor(birdName: string, call: UpstreamCall): Promise<Photo | null> {
    if (birdName === '') return null;
    return (await this.#cache.get(searchQuery(birdName), call)).photo;
  }
}
