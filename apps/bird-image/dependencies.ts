import { createServiceAppDependencies } from '../shared/http/create-service-app.js';
import type { Logger } from '../shared/logger.js';
import { TokenBucket } from '../shared/upstream/token-bucket.js';
import { keepAliveAgents, UpstreamClient } from '../shared/upstream/upstream-client.js';
import type { BirdImageDependencies } from './app.js';
import type { BirdImageConfig } from './config.js';
import { ImageLookup } from './image-lookup.js';
import { UnsplashSearch } from './unsplash-search.js';

// A search for one photo is a few kilobytes; anything near this is not an answer we want.
const UNSPLASH_MAX_BODY_BYTES = 256 * 1024;

/** Builds birdImage's real dependencies from its config. */
export function createDependencies(config: BirdImageConfig, logger: Logger): BirdImageDependencies {
  const shared = createServiceAppDependencies(logger, {
    maxInFlight: config.maxInFlight,
    faults: config.faults,
  });
  const key = config.unsplashAccessKey;
  if (key === undefined) {
    logger.warn(
      { reason: config.unsplashKeyAbsence },
      'no Unsplash key: answering the default image',
    );
  }
  const unsplash =
    key === undefined
      ? undefined
      : new UpstreamClient({
          name: 'unsplash',
          timeoutMs: config.upstreamTimeoutMs,
          maxBodyBytes: UNSPLASH_MAX_BODY_BYTES,
          headers: { authorization: `Client-ID ${key}`, 'accept-version': 'v1' },
          metrics: shared.metrics,
          logger,
          agents: keepAliveAgents(),
        });
  const images = new ImageLookup({
    unsplash,
    search: new UnsplashSearch(config.unsplashApiUrl, {
      imageHosts: config.unsplashImageHosts,
      logger,
    }),
    metrics: shared.metrics,
    searchBudget: new TokenBucket({
      capacity: config.unsplashSearchesPerHour,
      perHour: config.unsplashSearchesPerHour,
    }),
  });
  return { ...shared, images };
}
