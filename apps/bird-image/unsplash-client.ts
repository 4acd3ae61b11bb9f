import type { Logger } from '../shared/logger.js';
import { withOptional, type Photo } from '../shared/photo.js';
import { MalformedResponseError, type UpstreamClient } from '../shared/upstream-client.js';
import { imageUrlRefusal } from './image-url-policy.js';
import { unsplashPhotoDetails } from './unsplash-credit.js';

/** What {@link UnsplashClient} checks photo URLs against, and where it says what it refused. */
export interface PhotoUrlChecks {
  /** Hosts a photo URL may point at (see `imageUrlRefusal`). */
  readonly imageHosts: readonly string[];
  readonly logger: Logger;
}

/** Finds bird photos on Unsplash. */
export class UnsplashClient {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly apiUrl: string,
    private readonly checks: PhotoUrlChecks,
  ) {}

  /**
   * While the breaker turns searches away: counts one refusal and returns the error a search
   * would fail with (see {@link UpstreamClient.refuseIfOpen}); otherwise `undefined`.
   */
  refuseIfOpen(): Error | undefined {
    return this.upstream.refuseIfOpen();
  }

  /**
   * The first photo Unsplash finds for `query` (its thumbnail, alt text and credit), or `null`
   * when it finds none or its URL is refused (see `imageUrlRefusal`; logged, and cached as "no
   * photo"). Rejects with an `UpstreamError` when Unsplash fails or answers something malformed.
   * The access key travels in the client's `Authorization` header, never in this URL.
   * @param deadline when the answer is needed by (see `UpstreamClient.getJson`)
   */
  async firstPhoto(query: string, deadline?: number): Promise<Photo | null> {
    return this.upstream.getJson(`${this.apiUrl}/search/photos`, {
      searchParams: { query, per_page: 1 },
      deadline,
      parse: (body) => {
        const url = this.#acceptable(firstThumbnailOf(body));
        if (url === null) return null;
        const { alt, credit } = unsplashPhotoDetails(body);
        return withOptional({ url }, alt, credit);
      },
    });
  }

  #acceptable(thumb: unknown): string | null {
    if (thumb === null) return null;
    const refusal = imageUrlRefusal(thumb, this.checks.imageHosts);
    if (refusal === undefined) return thumb as string;
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
