import { httpUrl } from '../shared/http-url.js';
import { withOptional, type Photo } from '../shared/photo.js';
import { MalformedResponseError, type UpstreamClient } from '../shared/upstream-client.js';
import { unsplashPhotoDetails } from './unsplash-credit.js';

/** Finds bird photos on Unsplash. */
export class UnsplashClient {
  constructor(
    private readonly upstream: UpstreamClient,
    private readonly apiUrl: string,
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
   * when it finds none. Rejects with an `UpstreamError` when Unsplash fails or answers something
   * malformed. The access key travels in the client's `Authorization` header, never in this URL.
   * @param deadline when the answer is needed by (see `UpstreamClient.getJson`)
   */
  async firstPhoto(query: string, deadline?: number): Promise<Photo | null> {
    return this.upstream.getJson(`${this.apiUrl}/search/photos`, {
      searchParams: { query, per_page: 1 },
      deadline,
      parse: firstPhotoOf,
    });
  }
}

function firstPhotoOf(body: unknown): Photo | null {
  const url = firstThumbnailOf(body);
  if (url === null) return null;
  const { alt, credit } = unsplashPhotoDetails(body);
  return withOptional({ url }, alt, credit);
}

interface SearchAnswer {
  readonly results?: unknown;
}

/**
 * The `urls.thumb` of the first result of a search answer, or `null` when there is none. Only
 * what we read is checked: Unsplash sends far more, and extra fields must not break us.
 */
function firstThumbnailOf(body: unknown): string | null {
  const results = (body as SearchAnswer | null)?.results;
  if (Array.isArray(results) && results.length === 0) return null;
  const first: unknown = Array.isArray(results) ? results[0] : undefined;
  const thumb = httpUrl((first as { urls?: { thumb?: unknown } } | null)?.urls?.thumb);
  if (thumb === undefined) throw new MalformedResponseError('unexpected Unsplash search answer');
  return thumb;
}
