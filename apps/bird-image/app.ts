import type Koa from 'koa';
import {
  createServiceApp,
  type ServiceAppDependencies,
} from '../shared/http/create-service-app.js';
import type { RequestIdState } from '../shared/http/request-id.js';
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
export function createApp(
  _config: BirdImageConfig,
  deps: BirdImageDependencies,
): Koa<RequestIdState> {
  return createServiceApp(deps, (router) => {
    router.get('/', async (ctx) => {
      const birdName = birdNameFrom(ctx.query);
      const url = await deps.images.imageFor(birdName, { ...deps, requestId: ctx.state.requestId });
      // The contract is a JSON string, not text: `"https://…"`.
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(url);
    });
  });
}
