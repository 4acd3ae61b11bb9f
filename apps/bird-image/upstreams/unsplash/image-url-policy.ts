import { hasControlCharacter } from '../../../shared/text-safety.js';

/** Longest photo URL passed on, in characters. Unsplash's are about 200 to 400. */
export const MAX_IMAGE_URL_LENGTH = 2_048;

/**
 * The hosts Unsplash serves photos from (`UNSPLASH_IMAGE_HOSTS`): the `urls` of its API answers
 * point at `images.unsplash.com`, and at `plus.unsplash.com` for Unsplash+ photos.
 */
export const UNSPLASH_IMAGE_HOSTS: readonly string[] = ['images.unsplash.com', 'plus.unsplash.com'];

/**
 * Why `value` may not be handed to clients as a photo URL, or `undefined` when it may: it must
 * be a string of at most {@link MAX_IMAGE_URL_LENGTH} characters (serialized too) holding an
 * absolute `https` URL on one of `allowedHosts` (default port), without credentials. Browsers load what birdImage
 * answers (bird's card), so an upstream must not be able to point them at `http://169.254…`,
 * an intranet host or a 200 KB URL.
 */
export function imageUrlRefusal(
  value: unknown,
  allowedHosts: readonly string[],
): string | undefined {
  if (typeof value !== 'string') return 'not a string';
  if (value.length > MAX_IMAGE_URL_LENGTH) return `longer than ${MAX_IMAGE_URL_LENGTH} characters`;
  // White space and controls: a URL with one is the padded or injected answer never to pass on.
  if (hasControlCharacter(value, { whiteSpace: true }) || !URL.canParse(value)) return 'not a URL';
  const url = new URL(value);
  // What is answered is the serialization, which percent-encoding can make longer.
  if (url.href.length > MAX_IMAGE_URL_LENGTH)
    return `longer than ${MAX_IMAGE_URL_LENGTH} characters`;
  if (url.protocol !== 'https:') return 'not https';
  if (url.username !== '' || url.password !== '') return 'holds credentials';
  if (url.port !== '' || !allowedHosts.includes(url.hostname))
    return 'not on an allowed image host';
  return undefined;
}
