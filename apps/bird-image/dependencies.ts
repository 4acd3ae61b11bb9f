import { createServiceAppDependencies } from '../shared/http/create-service-app.js';
import type { Logger } from '../shared/logger.js';
import { NO_PHOTOS, type PhotoSource } from '../shared/photo.js';
import { TokenBucket } from '../shared/upstream/token-bucket.js';
import { keepAliveAgents, UpstreamClient } from '../shared/upstream/upstream-client.js';
import type { BirdImageDependencies } from './app.js';
import type { BirdImageConfig } from './config.js';
import { UPSTREAMS } from './upstreams/names.js';
import { UnsplashLookup } from './upstreams/unsplash/lookup.js';

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
  // No key, no client: the default image, without a call.
  const images: PhotoSource =
    key === undefined
      ? NO_PHOTOS
      : new UnsplashLookup(
          {
            upstream: new UpstreamClient({
              name: UPSTREAMS.unsplash,
              timeoutMs: config.upstreamTimeoutMs,
              maxBodyBytes: UNSPLASH_MAX_BODY_BYTES,
              headers: { authorization: `Client-ID ${key}`, 'accept-version': 'v1' },
              metrics: shared.metrics,
              logger,
              agents: keepAliveAgents(),
            }),
            url: config.unsplashApiUrl,
            metrics: shared.metrics,
            // One token per cache miss: a flood of new names cannot spend the Unsplash quota.
            budget: new TokenBucket({
              capacity: config.unsplashSearchesPerHour,
              perHour: config.unsplashSearchesPerHour,
            }),
          },
          { imageHosts: config.unsplashImageHosts, logger },
        );
  return { ...shared, images };
}
