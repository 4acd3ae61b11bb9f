import type Koa from 'koa';
import { upstreamDeadline } from '../shared/deadline.js';
import {
  createServiceApp,
  type ServiceAppDependencies,
} from '../shared/http/create-service-app.js';
import type { RequestState } from '../shared/http/request-context.js';
import { birdNameFrom } from './bird-name.js';
import type { BirdImageConfig } from './config.js';
import type { ImageLookup } from './image-lookup.js';

/** What the birdImage app is built from. */
export interface BirdImageDependencies extends ServiceAppDependencies {
  readonly images: ImageLookup;
}

/**
 * The birdImage app: `GET /?birdName=X` answers, as a JSON string, the URL of a photo of that
 * bird, or the default image. It never listens; `server.ts` does.
 */
export function createApp(config: BirdImageConfig, deps: BirdImageDependencies): Koa<RequestState> {
  const { images, metrics, logger } = deps;
  return createServiceApp(deps, (router) => {
    router.get('/', async (ctx) => {
      const birdName = birdNameFrom(ctx.query);
      const { requestId, receivedAt } = ctx.state;
      const url = await images.imageFor(birdName, {
        metrics,
        logger,
        requestId,
        deadline: upstreamDeadline(receivedAt, config.upstreamTimeoutMs),
      });
      // The contract is a JSON string, not text: `"https://…"`.
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(url);
    });
  });
}
