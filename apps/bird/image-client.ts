import type { IncomingHttpHeaders } from 'node:http';
import { approximateBytes, CachedLookup } from '../shared/upstream/cached-lookup.js';
import { REQUEST_ID_HEADER } from '../shared/http/request-context.js';
import { httpUrl } from '../shared/valid-url.js';
import type { Metrics } from '../shared/metrics.js';
import {
  forbidsStoring,
  PHOTO_MEDIA_TYPE,
  photoFrom,
  photoStrings,
  type Photo,
} from '../shared/photo.js';
import {
  BREAKER_HALF_OPEN_AFTER_MS,
  MalformedResponseError,
  type UpstreamClient,
} from '../shared/upstream/upstream-client.js';

/** Options for {@link BirdImageClient}. */
export interface BirdImageClientOptions {
  readonly upstream: UpstreamClient;
  /** birdImage's base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly metrics: Metrics;
  /** How long an answer is reused. @default 5 minutes */
  readonly ttlMs?: number;
  /**
   * How long an answer birdImage marks `no-store` (its default image) is reused.
   * @default {@link DEFAULT_IMAGE_TTL_MS}
   */
  readonly defaultImageTtlMs?: number;
  /** Most names cached. @default 1000 */
  readonly maxEntries?: number;
  /** Most bytes cached (see `CachedLookup`). @default 2 MiB */
  readonly maxBytes?: number;
}

// The photo with its credit, which the bird card shows; a birdImage that predates it (during a
// rollout, say) ignores the preference and answers the URL string, which is still good.
const ACCEPT = `${PHOTO_MEDIA_TYPE}, application/json;q=0.5`;

/**
 * How long bird reuses birdImage's default image (an answer marked `no-store`): a fifth of the
 * time an open breaker waits for its trial call, 2 s. Unsplash's recovery reaches birdImage at
 * its breaker's next trial call; bird then shows real photos within this long. Not zero: while
 * Unsplash is down, each name costs birdImage one call per this long, not one per request.
 */
export const DEFAULT_IMAGE_TTL_MS = BREAKER_HALF_OPEN_AFTER_MS / 5;

/** A birdImage answer, and whether it may be kept for the whole TTL. */
interface ImageAnswer {
  readonly photo: Photo;
  /** birdImage said `no-store`: its default image, kept for `defaultImageTtlMs` only. */
  readonly briefly: boolean;
}

/** What a lookup passes on to birdImage. */
export interface ImageRequest {
  /** Passed on in `X-Request-Id`, so one request can be followed across both services. */
  readonly requestId: string;
  /** When the answer is needed by (see `upstreamDeadline`). @default the client's own timeout */
  readonly deadline?: number;
}

/**
 * Asks birdImage for a bird's photo. Answers are cached for a few minutes, so a steady stream of
 * requests for the same few hundred birds costs birdImage one call per bird per TTL; birdImage
 * keeps its own, longer cache in front of Unsplash. An answer birdImage marks `no-store` (its
 * default image, given when Unsplash fails) is kept for seconds only, so a recovered Unsplash
 * shows on bird soon after birdImage sees it.
 */
export class BirdImageClient {
  readonly #cache: CachedLookup<ImageAnswer, ImageRequest>;

  constructor(options: BirdImageClientOptions) {
    const { upstream, baseUrl } = options;
    this.#cache = new CachedLookup<ImageAnswer, ImageRequest>({
      name: 'image',
      maxEntries: options.maxEntries ?? 1000,
      maxBytes: options.maxBytes ?? 2 * 1024 * 1024,
      sizeOf: (answer, name) => approximateBytes(name, photoStrings(answer.photo)),
      ttlMs: options.ttlMs ?? 5 * 60 * 1000,
      missTtlMs: options.defaultImageTtlMs ?? DEFAULT_IMAGE_TTL_MS,
      isMiss: (answer) => answer.briefly,
      metrics: options.metrics,
      // Concurrent lookups of a name share the first one's call: its request id and deadline.
      load: (birdName, { requestId, deadline }) =>
        upstream.getJson(`${baseUrl}/`, {
          searchParams: { birdName },
          headers: { [REQUEST_ID_HEADER]: requestId, accept: ACCEPT },
          deadline,
          parse: parsePhoto,
        }),
      // While birdImage's breaker is open, a miss costs what a hit does: no load is set up.
      refuseLoad: () => upstream.refuseIfOpen(),
    });
  }

  /** The photo birdImage gives for `birdName`. Rejects when birdImage fails. */
  async photoFor(birdName: string, request: ImageRequest): Promise<Photo> {
    return (await this.#cache.get(birdName, request)).photo;
  }
}

// A photo object under its own media type, or the plain contract: a JSON string holding a URL.
// Anything else (a bare or quoted URL, an object sent as plain JSON) is malformed.
function parsePhoto(body: unknown, contentType: string, headers: IncomingHttpHeaders): ImageAnswer {
  const photo = isPhotoMediaType(contentType) ? photoFrom(body) : urlOnly(httpUrl(body));
  if (photo === undefined) throw new MalformedResponseError('birdImage did not answer a photo');
  return { photo, briefly: forbidsStoring(headers['cache-control']) };
}

function isPhotoMediaType(contentType: string): boolean {
  return contentType.split(';')[0]!.trim().toLowerCase() === PHOTO_MEDIA_TYPE;
}

function urlOnly(url: string | undefined): Photo | undefined {
  return url === undefined ? undefined : { url };
}
