import type { UpstreamRequest } from '../../../shared/upstream/upstream-lookup.js';

/** What bird asks the facts source at `url`: `GET {url}`, the whole collection at once. */
export function collectionRequest(url: string): UpstreamRequest {
  return { url };
}
