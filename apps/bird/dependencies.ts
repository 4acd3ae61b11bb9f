import { createServiceAppDependencies } from '../shared/http/create-service-app.js';
import type { Logger } from '../shared/logger.js';
import { keepAliveAgents, UpstreamClient } from '../shared/upstream/upstream-client.js';
import type { BirdDependencies } from './app.js';
import type { BirdConfig } from './config.js';
import type { FactsSource } from './facts/bird-fact.js';
import { CatalogFacts } from './facts/catalog-facts.js';
import { BirdImageLookup } from './upstreams/bird-image/lookup.js';
import { FactsLookup } from './upstreams/facts/lookup.js';
import { UPSTREAMS } from './upstreams/names.js';

// A birds collection of a few thousand entries fits easily; a URL string, in far less.
const FACTS_MAX_BODY_BYTES = 1024 * 1024;
const IMAGE_MAX_BODY_BYTES = 8 * 1024;

/** Builds bird's real dependencies from its config. */
export function createDependencies(config: BirdConfig, logger: Logger): BirdDependencies {
  const shared = createServiceAppDependencies(logger, {
    maxInFlight: config.maxInFlight,
    faults: config.faults,
  });
  const { metrics } = shared;
  const agents = keepAliveAgents();
  const upstream = (name: string, maxBodyBytes: number) =>
    new UpstreamClient({
      name,
      maxBodyBytes,
      timeoutMs: config.upstreamTimeoutMs,
      metrics,
      logger,
      agents,
    });
  const facts: FactsSource = config.birdFactsUrl
    ? new FactsLookup({
        upstream: upstream(UPSTREAMS.facts, FACTS_MAX_BODY_BYTES),
        url: config.birdFactsUrl,
        metrics,
      })
    : new CatalogFacts();
  logger.info({ facts: config.birdFactsUrl ? 'remote' : 'embedded catalog' }, 'facts source');
  const images = new BirdImageLookup({
    upstream: upstream(UPSTREAMS.image, IMAGE_MAX_BODY_BYTES),
    url: config.birdImageUrl,
    metrics,
  });
  return { ...shared, facts, images };
}
