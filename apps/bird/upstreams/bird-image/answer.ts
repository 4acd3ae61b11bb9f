import type { IncomingHttpHeaders } from 'node:http';
import { forbidsStoring, PHOTO_MEDIA_TYPE, photoFrom, type Photo } from '../../../shared/photo.js';
import { MalformedResponseError } from '../../../shared/upstream/upstream-client.js';
import { httpUrl } from '../../../shared/valid-url.js';

/** A birdImage answer, and whether it may be kept for the whole TTL. */
export interface PhotoAnswer {
  readonly photo: Photo;
  /** birdImage said `no-store`: its default image, kept for a short while only. */
  readonly briefly: boolean;
}

/**
 * birdImage's answer: a photo object under its own media type, or the plain contract, a JSON
 * string holding a URL. Anything else (a bare or quoted URL, an object sent as plain JSON)
 * throws a `MalformedResponseError`.
 */
export function readPhotoAnswer(
  body: unknown,
  contentType: string,
  headers: IncomingHttpHeaders,
): PhotoAnswer {
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
