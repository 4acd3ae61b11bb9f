import type Koa from 'koa';
import { upstreamDeadline } from '../shared/upstream/deadline.js';
import { withFallback } from '../shared/upstream/fallback.js';
import {
  createServiceApp,
  type ServiceAppDependencies,
} from '../shared/http/create-service-app.js';
import type { RequestState } from '../shared/http/request-context.js';
import { defaultImagePhoto, type PhotoSource } from '../shared/photo.js';
import { answerBird } from './bird-answer.js';
import { addPlaceholderRoute } from './card/placeholder.js';
import type { BirdConfig } from './config.js';
import type { BirdFact, FactsSource } from './facts/bird-fact.js';
import { UPSTREAMS } from './upstreams/names.js';

/** What the bird app is built from. */
export interface BirdDependencies extends ServiceAppDependencies {
  /** The embedded catalog, or the remote collection behind its cache (see `FactsLookup`). */
  readonly facts: FactsSource;
  /** birdImage, behind its cache (see `BirdImageLookup`). */
  readonly images: PhotoSource;
}

export type { Bird } from './bird-answer.js';

/** Served when the facts source fails and nothing usable is cached: a bird, never an error page. */
export const DISGUISED_BIRD: BirdFact = {
  name: 'Bird in disguise',
  description:
    'A bird could not be fetched just now, so this one came in disguise. Try again in a moment.',
};

/**
 * The bird app: `GET /` answers a random bird with a photo, as JSON or, to a browser, as an
 * HTML card (`GET /placeholder.svg` is the card's stand-in image). When the facts source fails
 * it answers the disguised bird; when only the image fails, the bird keeps its facts and gets
 * the default image. It never listens; `server.ts` does.
 */
export function createApp(config: BirdConfig, deps: BirdDependencies): Koa<RequestState> {
  const { facts, images, metrics, logger } = deps;
  return createServiceApp(deps, (router) => {
    router.get('/', async (ctx) => {
      const { requestId, receivedAt } = ctx.state;
      // Both calls share one deadline, so the answer comes within UPSTREAM_TIMEOUT_MS in all.
      const call = { requestId, deadline: upstreamDeadline(receivedAt, config.upstreamTimeoutMs) };
      const context = { metrics, logger, requestId };
      const fact = await withFallback(UPSTREAMS.facts, () => facts.randomFact(call), null, context);
      const found =
        fact === null
          ? null
          : await withFallback(
              UPSTREAMS.image,
              () => images.photoFor(fact.name, call),
              null,
              context,
            );
      const photo = found ?? defaultImagePhoto(config.defaultImageUrl);
      answerBird(ctx, fact ?? DISGUISED_BIRD, photo, config.defaultImageUrl);
    });
    addPlaceholderRoute(router);
  });
}
