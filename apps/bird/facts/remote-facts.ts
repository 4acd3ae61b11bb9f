import { approximateBytes, CachedLookup } from '../../shared/upstream/cached-lookup.js';
import type { Metrics } from '../../shared/metrics.js';
import {
  MalformedResponseError,
  type UpstreamClient,
} from '../../shared/upstream/upstream-client.js';
import { pick, usableFacts, type BirdFact, type FactsSource } from './bird-fact.js';

/** Options for {@link RemoteFacts}. */
export interface RemoteFactsOptions {
  readonly upstream: UpstreamClient;
  /** `GET {url}` answers a JSON array of birds. */
  readonly url: string;
  readonly metrics: Metrics;
  /** How long the collection is reused before it is fetched again. @default 10 minutes */
  readonly ttlMs?: number;
  /** A `Math.random`-like function. @default Math.random */
  readonly random?: () => number;
}

interface Collection {
  readonly facts: readonly BirdFact[];
}

const COLLECTION_KEY = 'collection';

/**
 * Birds from a remote collection in the shape of the public birds test API. The whole list is
 * fetched once per TTL and a bird picked from it locally: one upstream call serves thousands of
 * requests. When a refresh fails, the last good list is served, however old: a bird's facts do
 * not go stale the way a price does.
 */
export class RemoteFacts implements FactsSource {
  readonly #collection: CachedLookup<Collection, number | undefined>;
  readonly #random: () => number;

  constructor(options: RemoteFactsOptions) {
    const { upstream, url } = options;
    this.#random = options.random ?? Math.random;
    this.#collection = new CachedLookup<Collection, number | undefined>({
      name: 'facts',
      maxEntries: 1,
      // Above anything a body within the facts client's 1 MiB limit parses into, so the one
      // collection is always kept; the bound guards against that limit being raised.
      maxBytes: 16 * 1024 * 1024,
      sizeOf: ({ facts }, key) =>
        approximateBytes(
          key,
          facts.flatMap(({ name, description }) => [name, description]),
        ),
      ttlMs: options.ttlMs ?? 10 * 60 * 1000,
      serveStaleOnError: true,
      metrics: options.metrics,
      load: (_key, deadline) => upstream.getJson(url, { parse: parseCollection, deadline }),
      // While the source's breaker is open, the last good list is served without a load.
      refuseLoad: () => upstream.refuseIfOpen(),
    });
  }

  async randomFact(deadline?: number): Promise<BirdFact> {
    const { facts } = await this.#collection.get(COLLECTION_KEY, deadline);
    return pick(facts, this.#random);
  }
}

function parseCollection(body: unknown): Collection {
  if (!Array.isArray(body)) throw new MalformedResponseError('birds collection is not an array');
  const facts = usableFacts(body);
  if (facts.length === 0) throw new MalformedResponseError('birds collection has no usable bird');
  return { facts };
}
