import { hasControlCharacter } from './text-safety.js';
import type { UpstreamCall } from './upstream/upstream-lookup.js';
import { httpUrl } from './valid-url.js';

/**
 * birdImage's second, opt-in representation (`Accept: application/vnd.aviary.photo+json`): the
 * photo with what a page needs to show it properly. Without that `Accept`, birdImage answers
 * the URL alone as a JSON string, as it always has.
 */
export const PHOTO_MEDIA_TYPE = 'application/vnd.aviary.photo+json';

/**
 * Who took a photo and where it comes from, as the source asks to be credited: "Photo by
 * {name} on {source}", each linked (Unsplash's API guidelines).
 */
export interface PhotoCredit {
  /** The photographer's name. */
  readonly name: string;
  /** The photographer's profile page, `http(s)` only. */
  readonly url: string;
  /** Where the photo was found, e.g. `Unsplash`. */
  readonly source: string;
  /** The source's home page, `http(s)` only. */
  readonly sourceUrl: string;
}

/** A photo of a bird: the body of a {@link PHOTO_MEDIA_TYPE} answer. */
export interface Photo {
  /** The image itself, `http(s)` only. */
  readonly url: string;
  /** What the photo shows, for its `alt` text; absent when the source does not say. */
  readonly alt?: string;
  /** Absent for the default image, which needs no credit. */
  readonly credit?: PhotoCredit;
}

/**
 * The `alt` of the default image: it is not a photo of the bird asked about, whatever it shows
 * (`DEFAULT_IMAGE_URL` may point anywhere).
 */
export const DEFAULT_IMAGE_ALT = 'No photo of this bird is available';

/** The default image at `url`, as a {@link Photo}: with its alt text, and no credit. */
export function defaultImagePhoto(url: string): Photo {
  return { url, alt: DEFAULT_IMAGE_ALT };
}

/** Where a service finds a bird's photo: birdImage for bird, Unsplash for birdImage. */
export interface PhotoSource {
  /**
   * A photo of `birdName`, or `null` when the source has none; the route answers the default
   * image then, and when this rejects (the upstream failed).
   */
  photoFor(birdName: string, call: UpstreamCall): Promise<Photo | null>;
}

/** The source of a service that has no way to find photos (birdImage without an Unsplash key). */
export const NO_PHOTOS: PhotoSource = { photoFor: () => Promise.resolve(null) };

/**
 * The `Cache-Control` of an answer that is not a photo of the bird asked about: the default
 * image, whether Unsplash failed, the hour's searches were spent, or nothing was found. No HTTP
 * cache may keep it: once Unsplash answers again, the next request must be able to get the
 * photo. bird reads it too, and keeps such an answer only briefly (see `BirdImageLookup`).
 */
export const DEFAULT_IMAGE_CACHE_CONTROL = 'no-store';

/** Whether a `Cache-Control` value forbids keeping the answer (it has `no-store`). */
export function forbidsStoring(cacheControl: string | undefined): boolean {
  return (cacheControl ?? '')
    .split(',')
    .some((directive) => directive.trim().toLowerCase() === 'no-store');
}

/**
 * Longest text kept from an upstream (alt text, a photographer's name), in UTF-16 units: longer
 * than any name or caption a person reads on a card. Longer text is dropped, not cut: it is not
 * a caption gone long but an upstream inflating its answer.
 */
export const MAX_TEXT_LENGTH = 300;

/**
 * `value` trimmed if it is a string a person can read on a page: not empty, at most 300
 * characters, no control characters; `undefined` otherwise. It is text, not markup: whoever
 * puts it in a page escapes it.
 */
export function displayText(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '' || text.length > MAX_TEXT_LENGTH || hasControlCharacter(text)) {
    return undefined;
  }
  return text;
}

/** `value` as a {@link PhotoCredit} if it is one: display names and `http(s)` URLs. */
export function photoCreditFrom(value: unknown): PhotoCredit | undefined {
  const fields = (value ?? {}) as Partial<Record<keyof PhotoCredit, unknown>>;
  const name = displayText(fields.name);
  const url = httpUrl(fields.url);
  const source = displayText(fields.source);
  const sourceUrl = httpUrl(fields.sourceUrl);
  return name && url && source && sourceUrl ? { name, url, source, sourceUrl } : undefined;
}

/**
 * `body` as a {@link Photo} if its `url` is an `http(s)` URL; an unusable `alt` or `credit` is
 * dropped rather than failing the photo. `undefined` when there is no usable URL.
 */
export function photoFrom(body: unknown): Photo | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { url, alt, credit } = body as { url?: unknown; alt?: unknown; credit?: unknown };
  const photoUrl = httpUrl(url);
  if (photoUrl === undefined) return undefined;
  return withOptional({ url: photoUrl }, displayText(alt), photoCreditFrom(credit));
}

/** A photo with `alt` and `credit` set only when they are defined, so JSON shows no nulls. */
export function withOptional(
  photo: { readonly url: string },
  alt: string | undefined,
  credit: PhotoCredit | undefined,
): Photo {
  return {
    url: photo.url,
    ...(alt === undefined ? {} : { alt }),
    ...(credit === undefined ? {} : { credit }),
  };
}

/** The strings a photo holds (URL, alt text, credit): what a cache of it keeps in memory. */
export function photoStrings(photo: Photo | null): string[] {
  if (photo === null) return [];
  const { url, alt, credit } = photo;
  return [
    url,
    alt ?? '',
    ...(credit ? [credit.name, credit.url, credit.source, credit.sourceUrl] : []),
  ];
}
