import type { Metrics } from '../shared/metrics.js';
import { photoStrings, type Photo } from '../shared/photo.js';
import { approximateBytes, CachedLookup } from '../shared/upstream/cached-lookup.js';
import { BudgetSpentError, type TokenBucket } from '../shared/upstream/token-bucket.js';
import type { UpstreamClient } from '../shared/upstream/upstream-client.js';
import type { UnsplashSearch } from './unsplash-search.js';

/** Options for {@link ImageLookup}. */
export interface ImageLookupOptions {
  /** Unsplash's client; `undefined` (no key) finds no photo, without a call. */
  readonly unsplash: UpstreamClient | undefined;
  /** What a search asks Unsplash, and how its answer is read. */
  readonly search: UnsplashSearch;
  readonly metrics: Metrics;
  /**
   * The Unsplash searches allowed, one token per cache miss: a flood of new names gets the
   * default image once it is spent, and can neither exhaust the Unsplash quota nor evict more
   * than its worth of the cache.
   */
  readonly searchBudget: TokenBucket;
  /** Most names cached. @default 1000 */
  readonly maxEntries?: number;
  /** Most bytes cached (see `CachedLookup`). @default 2 MiB */
  readonly maxBytes?: number;
  /** How long a found photo is reused. @default 24 hours */
  readonly hitTtlMs?: number;
  /** How long "no photo" is reused; shorter, since a retry may find one. @default 1 hour */
  readonly missTtlMs?: number;
}

interface Found {
  readonly photo: Photo | null;
}

/**
 * Finds the photo of a bird by name on Unsplash, behind a cache: Unsplash's demo tier allows 50
 * requests an hour, so each name is looked up once per TTL, and concurrent lookups of it share
 * one call.
 */
export class ImageLookup {
  readonly #cache: CachedLookup<Found, number | undefined> | undefined;

  constructor(options: ImageLookupOptions) {
    const { unsplash, search, searchBudget, metrics } = options;
    this.#cache =
      unsplash &&
      new CachedLookup<Found, number | undefined>({
        name: 'unsplash',
        maxEntries: options.maxEntries ?? 1000,
        maxBytes: options.maxBytes ?? 2 * 1024 * 1024,
        sizeOf: (found, name) => approximateBytes(name, photoStrings(found.photo)),
        ttlMs: options.hitTtlMs ?? 24 * 60 * 60 * 1000,
        missTtlMs: options.missTtlMs ?? 60 * 60 * 1000,
        isMiss: (found) => found.photo === null,
        metrics,
        // Concurrent lookups of a name share the first one's call, and so its deadline.
        load: async (name, deadline) => {
          if (!searchBudget.take()) {
            metrics.upstreamBudgetRefusals.inc({ upstream: 'unsplash' });
            throw new BudgetSpentError('the budget of Unsplash searches is spent');
          }
          const { url, searchParams } = search.request(name);
          const photo = await unsplash.getJson(url, {
            searchParams,
            deadline,
            parse: (body) => search.firstPhoto(body),
          });
          return { photo };
        },
        // While Unsplash's breaker is open, a miss costs what a hit does: no load is set up.
        refuseLoad: () => unsplash.refuseIfOpen(),
      });
  }

  /**
   * A photo of `birdName`, or `null` when there is none: no key, no name, or nothing found.
   * Rejects when Unsplash fails or the search budget is spent; the route answers a fallback.
   * @param deadline when the answer is needed by (see `upstreamDeadline`)
   */
  async photoFor(birdName: string, deadline?: number): Promise<Photo | null> {
    const cache = this.#cache;
    if (cache === undefined || birdName === '') return null;
    return (await cache.get(cacheKey(birdName), deadline)).photo;
  }
}

// "Bald  Eagle" and "bald eagle" are one search; one cache entry serves both.
function cacheKey(birdName: string): string {
  return birdName.trim().replace(/\s+/g, ' ').toLowerCase();
}
