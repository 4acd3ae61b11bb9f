import type { UpstreamRequest } from '../../../shared/upstream/upstream-lookup.js';

/**
 * The search query for `birdName`, which is also its cache key: "Bald  Eagle" and "bald eagle"
 * are one search, and one cache entry serves both.
 */
export function searchQuery(birdName: string): string {
  return birdName.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The search for the first photo of `query` on the Unsplash API at `apiUrl`. The access key
 * travels in the client's `Authorization` header, never in this URL.
 */
export function searchRequest(apiUrl: string, query: string): UpstreamRequest {
  return { url: `${apiUrl}/search/photos`, searchParams: { query, per_page: 1 } };
}
