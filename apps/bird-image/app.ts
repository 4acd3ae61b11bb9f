import type Koa from 'koa';
import { upstreamDeadline } from '../shared/upstream/deadline.js';
import { withFallback } from '../shared/upstream/fallback.js';
import {
  createServiceApp,
  type ServiceAppDependencies,
} from '../shared/http/create-service-app.js';
import type { RequestState } from '../shared/http/request-context.js';
import type { PhotoSource } from '../shared/photo.js';
import { birdNameFrom } from './bird-name.js';
import type { BirdImageConfig } from './config.js';
import { answerPhoto } from './photo-answer.js';
import { UPSTREAMS } from './upstreams/names.js';

/** What the birdImage app is built from. */
export interface BirdImageDependencies extends ServiceAppDependencies {
  /** Unsplash, behind its cache (see `UnsplashLookup`); `NO_PHOTOS` without a key. */
  readonly images: PhotoSource;
}

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
      const call = { requestId, deadline: upstreamDeadline(receivedAt, config.upstreamTimeoutMs) };
      const found = await withFallback(
        UPSTREAMS.unsplash,
        () => images.photoFor(birdName, call),
        null,
        { metrics, logger, requestId },
      );
      answerPhoto(ctx, found, config.defaultImageUrl);
    });
  });
}
