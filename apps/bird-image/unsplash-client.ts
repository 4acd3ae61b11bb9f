import { z } from 'zod';
import { MalformedResponseError, type UpstreamClient } from '../shared/upstream-client.js';

// Only what we read; Unsplash sends far more, and extra fields must not break us.
const searchResponse = z.object({
  results: z.array(
    z.object({ urls: z.object({ thumb: z.url({ protocol: /^https?$/ }) }) }).loose(),
  ),
});

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
   * The thumbnail URL of the first photo Unsplash finds for `query`, or `null` when it finds
   * none. Rejects with an `UpstreamError` when Unsplash fails or answers something malformed.
   * The access key travels in the client's `Authorization` header, never in this URL.
   * @param deadline when the answer is needed by (see `UpstreamClient.getJson`)
   */
  async firstThumbnail(query: string, deadline?: number): Promise<string | null> {
    return this.upstream.getJson(`${this.apiUrl}/search/photos`, {
      searchParams: { query, per_page: 1 },
      deadline,
      parse: (body) => {
        const parsed = searchResponse.safeParse(body);
        if (!parsed.success) throw new MalformedResponseError('unexpected Unsplash search answer');
        return parsed.data.results[0]?.urls.thumb ?? null;
      },
    });
  }
}
