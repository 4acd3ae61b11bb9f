import type { Logger } from '../shared/logger.js';
import { withOptional, type Photo } from '../shared/photo.js';
import { MalformedResponseError } from '../shared/upstream/upstream-client.js';
import { imageUrlRefusal } from './image-url-policy.js';
import { unsplashPhotoDetails } from './unsplash-credit.js';

/** What {@link UnsplashSearch} checks photo URLs against, and where it says what it refused. */
export interface PhotoUrlChecks {
  /** Hosts a photo URL may point at (see `imageUrlRefusal`). */
  readonly imageHosts: readonly string[];
  readonly logger: Logger;
}

/** A call to Unsplash, as `UpstreamClient.getJson` makes it. */
export interface UnsplashRequest {
  readonly url: string;
  readonly searchParams: Readonly<Record<string, string | number>>;
}

/**
 * Unsplash's photo search, asked for the first photo of a query: what to ask, and how to read
 * the answer. It makes no call: `ImageLookup` does, through the Unsplash `UpstreamClient`.
 */
export class UnsplashSearch {
  constructor(
    private readonly apiUrl: string,
    private readonly checks: PhotoUrlChecks,
  ) {}

  /**
   * The search for the first photo of `query`. The access key travels in the client's
   * `Authorization` header, never in this URL.
   */
  request(query: string): UnsplashRequest {
    return { url: `${this.apiUrl}/search/photos`, searchParams: { query, per_page: 1 } };
  }

  /**
   * The first photo of a search answer (its thumbnail, alt text and credit), or `null` when it
   * has none or its URL is refused (see `imageUrlRefusal`; logged, and cached as "no photo").
   * Throws a `MalformedResponseError` when the answer is not a search answer.
   */
  firstPhoto(body: unknown): Photo | null {
    const url = this.#acceptable(firstThumbnailOf(body));
    if (url === null) return null;
    const { alt, credit } = unsplashPhotoDetails(body);
    return withOptional({ url }, alt, credit);
  }

  #acceptable(thumb: unknown): string | null {
    if (thumb === null) return null;
    const refusal = imageUrlRefusal(thumb, this.checks.imageHosts);
    // Its serialization, not the text received: what another URL parser reads the same way.
    if (refusal === undefined) return new URL(thumb as string).href;
    // The reason and size only: the URL itself is what must not travel on.
    const length = typeof thumb === 'string' ? thumb.length : undefined;
    this.checks.logger.warn({ reason: refusal, length }, 'Unsplash photo URL refused');
    return null;
  }
}

interface SearchAnswer {
  readonly results?: unknown;
}

/**
 * The `urls.thumb` string of the first result of a search answer, or `null` when there is none.
 * Only what we read is checked: Unsplash sends far more, and extra fields must not break us.
 */
function firstThumbnailOf(body: unknown): unknown {
  const results = (body as SearchAnswer | null)?.results;
  if (Array.isArray(results) && results.length === 0) return null;
  const first: unknown = Array.isArray(results) ? results[0] : undefined;
  const thumb = (first as { urls?: { thumb?: unknown } } | null)?.urls?.thumb;
  if (typeof thumb !== 'string') {
    throw new MalformedResponseError('unexpected Unsplash search answer');
  }
  return thumb;
}
