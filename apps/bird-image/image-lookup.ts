import { approximateBytes, CachedLookup } from '../shared/cached-lookup.js';
import { withFallback, type FallbackContext } from '../shared/fallback.js';
import type { Metrics } from '../shared/metrics.js';
import type { Photo } from '../shared/photo.js';
import { BudgetSpentError, type TokenBucket } from '../shared/token-bucket.js';
import type { UnsplashClient } from './unsplash-client.js';

/** Options for {@link ImageLookup}. */
export interface ImageLookupOptions {
  /** Where photos are searched; `undefined` (no key) answers the default image without a call. */
  readonly unsplash: UnsplashClient | undefined;
  readonly defaultImageUrl: string;
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

/** Where a lookup logs a fallback, and when it must have its answer. */
export interface ImageLookupContext extends FallbackContext {
  /** When the answer is needed by (see `upstreamDeadline`). @default the client's own timeout */
  readonly deadline?: number;
}

const NOT_FOUND: Found = { photo: null };

/**
 * Finds the photo of a bird by name, behind a cache: Unsplash's demo tier allows 50 requests an
 * hour, so each name is looked up once per TTL, and concurrent lookups of it share one call.
 */
export class ImageLookup {
  readonly #options: ImageLookupOptions;
  readonly #cache: CachedLookup<Found, number | undefined> | undefined;

  constructor(options: ImageLookupOptions) {
    this.#options = options;
    const { unsplash } = options;
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
        // Concurrent lookups of a name share the first one's call, and so its deadline.
        load: async (name, deadline) => {
          if (!options.searchBudget.take()) {
            options.metrics.upstreamBudgetRefusals.inc({ upstream: 'unsplash' });
            throw new BudgetSpentError('the budget of Unsplash searches is spent');
          }
          return { photo: await unsplash.firstPhoto(name, deadline) };
        },
        refuseLoad: () => unsplash.refuseIfOpen(),
        metrics: options.metrics,
      });
  }

  /** A photo of `birdName`, or the default image (with no credit). Never rejects. */
  async photoFor(birdName: string, context: ImageLookupContext): Promise<Photo> {
    const defaultImage = { url: this.#options.defaultImageUrl };
    const cache = this.#cache;
    if (cache === undefined || birdName === '') return defaultImage;
    const found = await withFallback(
      'unsplash',
      () => cache.get(cacheKey(birdName), context.deadline),
      NOT_FOUND,
      context,
    );
    return found.photo ?? defaultImage;
  }
}

// "Bald  Eagle" and "bald eagle" are one search; one cache entry serves both.
function cacheKey(birdName: string): string {
  return birdName.trim().replace(/\s+/g, ' ').toLowerCase();
}

// What a cached photo holds in memory: its URL, alt text and credit, the strings an upstream sets.
function photoStrings(photo: Photo | null): string[] {
  if (photo === null) return [];
  const { url, alt, credit } = photo;
  return [
    url,
    alt ?? '',
    ...(credit ? [credit.name, credit.url, credit.source, credit.sourceUrl] : []),
  ];
}
