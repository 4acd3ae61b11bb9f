import { REQUEST_ID_HEADER } from '../../../shared/http/request-context.js';
import { PHOTO_MEDIA_TYPE } from '../../../shared/photo.js';
import type { UpstreamCall, UpstreamRequest } from '../../../shared/upstream/upstream-lookup.js';

// The photo with its credit, which the bird card shows; a birdImage that predates it (during a
// rollout, say) ignores the preference and answers the URL string, which is still good.
const ACCEPT = `${PHOTO_MEDIA_TYPE}, application/json;q=0.5`;

/**
 * What bird asks birdImage at `baseUrl` for the photo of `birdName`: `GET /?birdName=…`, with
 * the request id passed on in `X-Request-Id`, so one request can be followed across both
 * services.
 */
export function photoRequest(
  baseUrl: string,
  birdName: string,
  { requestId }: UpstreamCall,
): UpstreamRequest {
  return {
    url: `${baseUrl}/`,
    searchParams: { birdName },
    headers: {
      ...(requestId === undefined ? {} : { [REQUEST_ID_HEADER]: requestId }),
      accept: ACCEPT,
    },
  };
}
