import type { Context } from 'koa';
import {
  DEFAULT_IMAGE_CACHE_CONTROL,
  defaultImagePhoto,
  PHOTO_MEDIA_TYPE,
  type Photo,
} from '../shared/photo.js';

// How long a client may reuse a photo found on Unsplash: as long as bird's own cache keeps it.
// The default image gets DEFAULT_IMAGE_CACHE_CONTROL instead.
const PHOTO_CACHE_CONTROL = 'public, max-age=300';

/**
 * Answers `found`, or the default image at `defaultImageUrl` when it is `null`, in the form the
 * client prefers: the photo object (`application/vnd.aviary.photo+json`, with its alt text and
 * credit) to a client that prefers it, the URL alone as a JSON string to every other (JSON is
 * offered first, so it wins a wildcard `Accept`, or none). A photo may be reused for five
 * minutes; the default image by no cache (see `DEFAULT_IMAGE_CACHE_CONTROL`).
 */
export function answerPhoto(ctx: Context, found: Photo | null, defaultImageUrl: string): void {
  const photo = found ?? defaultImagePhoto(defaultImageUrl);
  ctx.vary('Accept');
  ctx.set('Cache-Control', found ? PHOTO_CACHE_CONTROL : DEFAULT_IMAGE_CACHE_CONTROL);
  if (ctx.accepts('application/json', PHOTO_MEDIA_TYPE) === PHOTO_MEDIA_TYPE) {
    ctx.type = PHOTO_MEDIA_TYPE;
    ctx.body = JSON.stringify(photo);
    return;
  }
  // The contract is a JSON string, not text: `"https://…"`.
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(photo.url);
}
