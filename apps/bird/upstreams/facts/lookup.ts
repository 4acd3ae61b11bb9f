import {
  upstreamLookup,
  type UpstreamCall,
  type UpstreamLookupOptions,
  type UpstreamProtocol,
} from '../../../shared/upstream/upstream-lookup.js';
import type { CachedLookup } from '../../../shared/upstream/cached-lookup.js';
import { pick, type BirdFact, type FactsSource } from '../../facts/bird-fact.js';
import { readCollection, type Collection } from './answer.js';
import { collectionRequest } from './request.js';

const COLLECTION_KEY = 'collection';

const FACTS: UpstreamProtocol<Collection> = {
  cache: {
    ttlMs: 10 * 60 * 1000,
    maxEntries: 1,
    // Above anything a body within the facts client's 1 MiB limit parses into, so the one
    // collection is always kept; the bound guards against that limit being raised.
    maxBytes: 16 * 1024 * 1024,
  },
  calls: 'birds collection fetches',
  request: collectionRequest,
  parse: readCollection,
  strings: ({ facts }) => facts.flatMap(({ name, description }) => [name, description]),
  // A bird's facts do not go stale the way a price does.
  serveStaleOnError: true,
};

/**
 * Birds from a remote collection in the shape of the public birds test API. The whole list is
 * fetched once per TTL and a bird picked from it locally: one upstream call serves thousands of
 * requests. When a refresh fails, the last good list is served, however old.
 */
export class FactsLookup implements FactsSource {
  readonly #collection: CachedLookup<Collection, UpstreamCall>;

  /**
   * @param options `url` answers `GET` with the JSON array of birds
   * @param random a `Math.random`-like function; tests pass a fixed one
   */
  constructor(
    options: UpstreamLookupOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.#collection = upstreamLookup(FACTS, options);
  }

  async randomFact(call?: UpstreamCall): Promise<BirdFact> {
    const { facts } = await this.#collection.get(COLLECTION_KEY, call);
    return pick(facts, this.random);
  }
}
