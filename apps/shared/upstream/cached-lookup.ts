import { LRUCache } from 'lru-cache';
import type { CacheResult, Metrics } from '../metrics.js';

/** Options for {@link CachedLookup}. */
export interface CachedLookupOptions<V extends object, C> {
  /** The `cache` label of `cache_lookups_total`. */
  readonly name: string;
  /** Most entries kept; the least recently used go first. */
  readonly maxEntries: number;
  /**
   * Most bytes kept, as {@link CachedLookupOptions.sizeOf} counts them: whatever an upstream
   * sends, the cache holds at most this much. An entry larger than this is served, not kept.
   */
  readonly maxBytes: number;
  /** The bytes an entry holds, its key included (see {@link approximateBytes}). */
  readonly sizeOf: (value: V, key: string) => number;
  /** How long a found value is fresh, in milliseconds. */
  readonly ttlMs: number;
  /** How long a value for which `isMiss` holds is fresh. @default ttlMs */
  readonly missTtlMs?: number;
  /** Tells a "nothing found" answer apart, so it is cached for `missTtlMs`. @default never */
  readonly isMiss?: (value: V) => boolean;
  /**
   * Serve the last value when a refresh fails, however old: a stale answer beats none.
   * @default false
   */
  readonly serveStaleOnError?: boolean;
  /** Loads the value of a key that is missing or stale; a rejection is not cached. */
  readonly load: (key: string, context: C) => Promise<V>;
  /**
   * Asked before a lookup that missed loads: an error it returns rejects the lookup at once, and
   * nothing is loaded. An open circuit breaker answers this way, so that while an upstream is
   * down a lookup costs about what a hit does. @default never refuses
   */
  readonly refuseLoad?: () => Error | undefined;
  readonly metrics: Metrics;
}

// lru-cache's fetch statuses, as the contract's cache_lookups_total results.
const RESULT_OF_FETCH_STATUS: Record<string, CacheResult> = {
  hit: 'hit',
  inflight: 'coalesced',
  miss: 'miss',
  stale: 'miss',
  refresh: 'miss',
};

/**
 * A bounded, TTL'd cache in front of an async lookup. Concurrent lookups of one key share a
 * single `load` (request coalescing), which is what keeps a burst of identical requests from
 * spending a rate-limited upstream's quota.
 */
export class CachedLookup<V extends object, C = undefined> {
  readonly #cache: LRUCache<string, V, unknown>;
  readonly #name: string;
  readonly #refuseLoad: (() => Error | undefined) | undefined;
  readonly #serveStaleOnError: boolean;
  readonly #counters;

  constructor(options: CachedLookupOptions<V, C>) {
    const { isMiss, missTtlMs, load } = options;
    this.#name = options.name;
    this.#refuseLoad = options.refuseLoad;
    this.#serveStaleOnError = options.serveStaleOnError ?? false;
    this.#cache = new LRUCache<string, V, unknown>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      maxEntrySize: options.maxBytes,
      // lru-cache refuses a size below 1.
      sizeCalculation: (value, key) => Math.max(1, Math.ceil(options.sizeOf(value, key))),
      ttl: options.ttlMs,
      // An entry evicted while loading still answers the callers waiting for it.
      ignoreFetchAbort: true,
      allowStaleOnFetchRejection: options.serveStaleOnError ?? false,
      noDeleteOnFetchRejection: options.serveStaleOnError ?? false,
      fetchMethod: async (key, _stale, { options: fetchOptions, context }) => {
        const value = await load(key, context as C);
        if (missTtlMs !== undefined && isMiss?.(value)) fetchOptions.ttl = missTtlMs;
        return value;
      },
    });
    const counter = options.metrics.cacheLookups;
    this.#counters = {
      hit: counter.labels(options.name, 'hit'),
      miss: counter.labels(options.name, 'miss'),
      coalesced: counter.labels(options.name, 'coalesced'),
    };
  }

  /** The value of `key`, from the cache or from one shared `load`. */
  async get(key: string, context?: C): Promise<V> {
    // Nearly every lookup is a fresh hit: answer those from the map, without the promise and
    // AbortController that lru-cache's fetch() sets up for each call. A stale entry stays put
    // for fetch() to refresh (and to serve, with serveStaleOnError).
    const fresh = this.#cache.get(key, { noDeleteOnStaleGet: true });
    if (fresh !== undefined) {
      this.#counters.hit.inc();
      return fresh;
    }
    const refusal = this.#refuseLoad?.();
    if (refusal) {
      this.#counters.miss.inc();
      const stale = this.#serveStaleOnError
        ? this.#cache.get(key, { allowStale: true, noDeleteOnStaleGet: true })
        : undefined;
      if (stale === undefined) throw refusal;
      return stale;
    }
    const status: LRUCache.Status<string, V, unknown> = {};
    const pending = this.#cache.fetch(key, { status, context });
    // Read now: the status object keeps changing while the fetch runs.
    this.#counters[RESULT_OF_FETCH_STATUS[status.fetch ?? 'miss'] ?? 'miss'].inc();
    const value = await pending;
    // With serveStaleOnError, a failed load with nothing stale to serve resolves empty: the
    // load's own error is the real cause.
    if (value === undefined) {
      throw status.fetchError ?? new Error(`cache ${this.#name}: lookup of a key ended empty`);
    }
    return value;
  }
}

// A JavaScript string holds up to 2 bytes per UTF-16 unit; an entry's object and map slot about
// this much more.
const ENTRY_OVERHEAD_BYTES = 64;

/** A generous estimate of the heap an entry of `key` holding `strings` takes, in bytes. */
export function approximateBytes(key: string, strings: readonly string[]): number {
  let bytes = 2 * key.length + ENTRY_OVERHEAD_BYTES;
  for (const text of strings) bytes += 2 * text.length;
  return bytes;
}
