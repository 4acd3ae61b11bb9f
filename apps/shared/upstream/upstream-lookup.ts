import type { IncomingHttpHeaders } from 'node:http';
import type { Metrics } from '../metrics.js';
import { approximateBytes, CachedLookup } from './cached-lookup.js';
import { BudgetSpentError, type TokenBucket } from './token-bucket.js';
import type { UpstreamClient } from './upstream-client.js';

/** How much a lookup's cache keeps, and for how long. Each upstream has its own defaults. */
export interface CacheSettings {
  /** How long a found answer is reused, in milliseconds. */
  readonly ttlMs: number;
  /**
   * How long an answer the upstream calls a miss is reused (see `UpstreamProtocol.isMiss`).
   * @default ttlMs
   */
  readonly missTtlMs?: number;
  /** Most keys cached. */
  readonly maxEntries: number;
  /** Most bytes cached (see `CachedLookup`). */
  readonly maxBytes: number;
}

/** What every upstream lookup is built from, whichever upstream it asks. */
export interface UpstreamLookupOptions {
  /** The client calls go through; its name is the `cache` label of the lookup's cache too. */
  readonly upstream: UpstreamClient;
  /** Where the upstream answers: its base URL without a trailing slash, or its one URL. */
  readonly url: string;
  readonly metrics: Metrics;
  /** Changes to the upstream's cache settings (a test's short TTL). @default none */
  readonly cache?: Partial<CacheSettings>;
  /**
   * The calls allowed, one token per cache miss: once it is spent, a lookup that missed rejects
   * without a call (`upstream_budget_refusals_total`). @default no limit
   */
  readonly budget?: TokenBucket;
}

/** One lookup's share of a request: whose it is, and by when it needs the answer. */
export interface UpstreamCall {
  /** The request it serves, passed on to an upstream of ours (birdImage) in `X-Request-Id`. */
  readonly requestId?: string;
  /** When the answer is needed by (see `upstreamDeadline`). @default the client's own timeout */
  readonly deadline?: number;
}

/** A call to an upstream, as `UpstreamClient.getJson` makes it. */
export interface UpstreamRequest {
  readonly url: string;
  readonly searchParams?: Readonly<Record<string, string | number>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * How one upstream is asked and read. `request` and `parse` are pure (no I/O), so each upstream's
 * are tested without a server; {@link upstreamLookup} makes the call between them. Every upstream
 * has the same folder, `apps/<service>/upstreams/<upstream>/`: `request.ts` and `answer.ts` hold
 * these functions, `lookup.ts` the protocol and the lookup built on it.
 */
export interface UpstreamProtocol<V extends object> {
  /** The cache's settings unless the options change them. */
  readonly cache: CacheSettings;
  /** The upstream's calls in words, for the error of a spent budget: `Unsplash searches`. */
  readonly calls: string;
  /** What to ask the upstream at `url` for `key`. */
  readonly request: (url: string, key: string, call: UpstreamCall) => UpstreamRequest;
  /** The answer read into what is cached; throws a `MalformedResponseError` when it is not one. */
  readonly parse: (body: unknown, contentType: string, headers: IncomingHttpHeaders) => V;
  /** The strings an answer holds, for the cache's byte bound. */
  readonly strings: (value: V) => readonly string[];
  /** Tells a "nothing found" answer apart, cached for `missTtlMs`. @default never */
  readonly isMiss?: (value: V) => boolean;
  /** Serve the last answer when a refresh fails, however old (see `CachedLookup`). @default false */
  readonly serveStaleOnError?: boolean;
}

/**
 * An upstream behind a cache: a lookup that misses asks `options.upstream` what `protocol`
 * says, and concurrent lookups of a key share that one call, with the first one's
 * {@link UpstreamCall}. While the upstream's breaker is open, a miss costs what a hit does: it
 * is refused before any call is set up.
 */
export function upstreamLookup<V extends object>(
  protocol: UpstreamProtocol<V>,
  options: UpstreamLookupOptions,
): CachedLookup<V, UpstreamCall> {
  const { upstream, url, metrics, budget } = options;
  const cache = { ...protocol.cache, ...options.cache };
  return new CachedLookup<V, UpstreamCall>({
    name: upstream.name,
    maxEntries: cache.maxEntries,
    maxBytes: cache.maxBytes,
    sizeOf: (value, key) => approximateBytes(key, protocol.strings(value)),
    ttlMs: cache.ttlMs,
    missTtlMs: cache.missTtlMs,
    isMiss: protocol.isMiss,
    serveStaleOnError: protocol.serveStaleOnError,
    metrics,
    load: (key, call = {}) => {
      if (budget !== undefined && !budget.take()) {
        metrics.upstreamBudgetRefusals.inc({ upstream: upstream.name });
        return Promise.reject(new BudgetSpentError(`the budget of ${protocol.calls} is spent`));
      }
      const { url: target, ...request } = protocol.request(url, key, call);
      return upstream.getJson(target, {
        ...request,
        deadline: call.deadline,
        parse: protocol.parse,
      });
    },
    refuseLoad: () => upstream.refuseIfOpen(),
  });
}
