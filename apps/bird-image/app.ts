import type Koa from 'koa';
import { upstreamDeadline } from '../shared/upstream/deadline.js';
import { withFallback } from '../shared/upstream/fallback.js';
import {
  createServiceApp,
  type ServiceAppDependencies,
} from '../shared/http/create-service-app.js';
import type { RequestState } from '../shared/http/request-context.js';
import {
  DEFAULT_IMAGE_CACHE_CONTROL,
  defaultImagePhoto,
  PHOTO_MEDIA_TYPE,
} from '../shared/photo.js';
import { birdNameFrom } from './bird-name.js';
import type { BirdImageConfig } from './config.js';
import type { ImageLookup } from './image-lookup.js';

/** What the birdImage app is built from. */
export interface BirdImageDependencies extends ServiceAppDependencies {
  readonly images: ImageLookup;
}

// How long a client may reuse a photo found on Unsplash: as long as bird's own cache keeps it.
// The default image gets DEFAULT_IMAGE_CACHE_CONTROL instead.
const PHOTO_CACHE_CONTROL = 'public, max-age=300';

/**
 * The birdImage app: `GET /?birdName=X` answers, as a JSON string, the URL of a photo of that
 * bird, or the default image. A client that asks for `application/vnd.aviary.photo+json` gets
 * the photo as an object instead, with its alt text and credit. When Unsplash fails, or the
 * hour's searches are spent, it answers the default image, which no cache may keep (a photo may
 * be reused for five minutes). It never listens; `server.ts` does.
 */
export function createApp(config: BirdImageConfig, deps: BirdImageDependencies): Koa<RequestState> {
  const { images, metrics, logger } = deps;
  return createServiceApp(deps, (router) => {
    router.get('/', async (ctx) => {
      const birdName = birdNameFrom(ctx.query);
      const { requestId, receivedAt } = ctx.state;
      const deadline = upstreamDeadline(receivedAt, config.upstreamTimeoutMs);
      const found = await withFallback(
        'unsplash',
        () => images.photoFor(birdName, deadline),
        null,
        { metrics, logger, requestId },
      );
      const photo = found ?? defaultImagePhoto(config.defaultImageUrl);
      ctx.vary('Accept');
      ctx.set('Cache-Control', found ? PHOTO_CACHE_CONTROL : DEFAULT_IMAGE_CACHE_CONTROL);
      // JSON first: a client that states no preference (`*/*`, or no Accept) gets the string.
      if (ctx.accepts('application/json', PHOTO_MEDIA_TYPE) === PHOTO_MEDIA_TYPE) {
        ctx.type = PHOTO_MEDIA_TYPE;
        ctx.body = JSON.stringify(photo);
        return;
      }
      // The contract is a JSON string, not text: `"https://…"`.
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(photo.url);
    });
  });
}
