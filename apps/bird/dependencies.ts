import { createServiceAppDependencies } from '../shared/http/create-service-app.js';
import type { Logger } from '../shared/logger.js';
import { keepAliveAgents, UpstreamClient } from '../shared/upstream/upstream-client.js';
import type { BirdDependencies } from './app.js';
import type { BirdConfig } from './config.js';
import type { FactsSource } from './facts/bird-fact.js';
import { CatalogFacts } from './facts/catalog-facts.js';
import { RemoteFacts } from './facts/remote-facts.js';
import { BirdImageClient } from './image-client.js';

// A birds collection of a few thousand entries fits easily; a URL string, in far less.
const FACTS_MAX_BODY_BYTES = 1024 * 1024;
const IMAGE_MAX_BODY_BYTES = 8 * 1024;

/** Builds bird's real dependencies from its config. */
export function createDependencies(config: BirdConfig, logger: Logger): BirdDependencies {
  const shared = createServiceAppDependencies(logger, {
    maxInFlight: config.maxInFlight,
    faults: config.faults,
  });
  const agents = keepAliveAgents();
  const upstream = (name: 'facts' | 'image', maxBodyBytes: number) =>
    new UpstreamClient({
      name,
      maxBodyBytes,
      timeoutMs: config.upstreamTimeoutMs,
      metrics: shared.metrics,
      logger,
      agents,
    });
  const facts: FactsSource = config.birdFactsUrl
    ? new RemoteFacts({
        upstream: upstream('facts', FACTS_MAX_BODY_BYTES),
        url: config.birdFactsUrl,
        metrics: shared.metrics,
      })
    : new CatalogFacts();
  logger.info({ facts: config.birdFactsUrl ? 'remote' : 'embedded catalog' }, 'facts source');
  const images = new BirdImageClient({
    upstream: upstream('image', IMAGE_MAX_BODY_BYTES),
    baseUrl: config.birdImageUrl,
    metrics: shared.metrics,
  });
  return { ...shared, facts, images };
}
