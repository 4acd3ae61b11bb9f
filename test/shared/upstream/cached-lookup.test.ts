import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  approximateBytes,
  CachedLookup,
  type CachedLookupOptions,
} from '../../../apps/shared/upstream/cached-lookup.js';
import { createMetrics, type Metrics } from '../../../apps/shared/metrics.js';
import { sampleValue } from '../../support/telemetry.js';

interface Value {
  readonly text: string | null;
}

let metrics: Metrics;
let loads: string[];

beforeEach(() => {
  metrics = createMetrics();
  loads = [];
});

function lookup(options: Partial<CachedLookupOptions<Value, undefined>> = {}) {
  return new CachedLookup<Value>({
    name: 'test',
    maxEntries: 10,
    maxBytes: 1024 * 1024,
    sizeOf: (value, key) => approximateBytes(key, [value.text ?? '']),
    ttlMs: 10_000,
    metrics,
    load: async (key) => {
      loads.push(key);
      await sleep(20);
      return { text: `value of ${key}` };
    },
    ...options,
  });
}

/** Looks `keys` up one after another, each once the one before has answered. */
async function lookUpInTurn(cache: CachedLookup<Value>, keys: readonly string[]): Promise<void> {
  for (const key of keys) await cache.get(key);
}

async function lookups(result: string) {
  return sampleValue(await metrics.registry.metrics(), 'cache_lookups_total', {
    cache: 'test',
    result,
  });
}

describe('CachedLookup', () => {
  it('loads a key once and answers later lookups from the cache', async () => {
    const cache = lookup();
    expect(await cache.get('kea')).toEqual({ text: 'value of kea' });
    expect(await cache.get('kea')).toEqual({ text: 'value of kea' });
    expect(loads).toEqual(['kea']);
    expect(await lookups('miss')).toBe(1);
    expect(await lookups('hit')).toBe(1);
  });

  it('coalesces concurrent lookups of one key into one load', async () => {
    const cache = lookup();
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.get('kea')));
    expect(new Set(answers.map((answer) => answer.text))).toEqual(new Set(['value of kea']));
    expect(loads).toEqual(['kea']);
    expect(await lookups('miss')).toBe(1);
    expect(await lookups('coalesced')).toBe(4);
  });

  it('loads again once the TTL has passed', async () => {
    const cache = lookup({ ttlMs: 50 });
    await cache.get('kea');
    await sleep(80);
    await cache.get('kea');
    expect(loads).toEqual(['kea', 'kea']);
  });

  it('keeps misses for their shorter TTL', async () => {
    const cache = lookup({
      ttlMs: 10_000,
      missTtlMs: 50,
      isMiss: (value) => value.text === null,
      load: (key) => {
        loads.push(key);
        return Promise.resolve({ text: key === 'dodo' ? null : key });
      },
    });
    await Promise.all([cache.get('dodo'), cache.get('kea')]);
    await sleep(80);
    await Promise.all([cache.get('dodo'), cache.get('kea')]);
    expect(loads.sort()).toEqual(['dodo', 'dodo', 'kea']);
  });

  it('does not cache a failed load', async () => {
    let fail = true;
    const cache = lookup({
      load: (key) => {
        loads.push(key);
        return fail ? Promise.reject(new Error('upstream down')) : Promise.resolve({ text: key });
      },
    });
    await expect(cache.get('kea')).rejects.toThrow('upstream down');
    fail = false;
    expect(await cache.get('kea')).toEqual({ text: 'kea' });
    expect(loads).toEqual(['kea', 'kea']);
  });

  it('serves the last good value when a refresh fails, if asked to', async () => {
    let fail = false;
    const cache = lookup({
      ttlMs: 30,
      serveStaleOnError: true,
      load: (key) => {
        loads.push(key);
        return fail
          ? Promise.reject(new Error('upstream down'))
          : Promise.resolve({ text: 'fresh' });
      },
    });
    await cache.get('all');
    fail = true;
    await sleep(50);
    expect(await cache.get('all')).toEqual({ text: 'fresh' });
    expect(await cache.get('all')).toEqual({ text: 'fresh' });
    expect(loads.length).toBeGreaterThanOrEqual(2);
  });

  it('rejects a miss at once, without loading, while refuseLoad answers an error', async () => {
    let refusal: Error | undefined;
    const cache = lookup({ refuseLoad: () => refusal });
    await cache.get('kea');
    refusal = new Error('breaker open');
    expect(await cache.get('kea')).toEqual({ text: 'value of kea' });
    await expect(cache.get('dodo')).rejects.toBe(refusal);
    expect(loads).toEqual(['kea']);
    expect(await lookups('hit')).toBe(1);
    expect(await lookups('miss')).toBe(2);
    refusal = undefined;
    expect(await cache.get('dodo')).toEqual({ text: 'value of dodo' });
  });

  it('serves the last good value while refuseLoad refuses, if asked to', async () => {
    let refusing = false;
    const cache = lookup({
      ttlMs: 30,
      serveStaleOnError: true,
      refuseLoad: () => (refusing ? new Error('breaker open') : undefined),
    });
    await cache.get('all');
    await sleep(50);
    refusing = true;
    expect(await cache.get('all')).toEqual({ text: 'value of all' });
    expect(loads).toEqual(['all']);
  });

  it('evicts the least recently used key beyond its size', async () => {
    const cache = lookup({ maxEntries: 2 });
    await lookUpInTurn(cache, ['a', 'b', 'a', 'c', 'a', 'b']);
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('bounds its entries by bytes too: large values evict others, one over the bound is not kept', async () => {
    const big = (size: number) => ({ text: 'x'.repeat(size) });
    const sizes: Record<string, number> = { a: 300, b: 300, c: 300, huge: 5_000 };
    // 2 bytes per character: a, b and c take about 700 bytes each, the bound holds two of them.
    const cache = lookup({
      maxEntries: 100,
      maxBytes: 1_600,
      load: (key) => {
        loads.push(key);
        return Promise.resolve(big(sizes[key]!));
      },
    });
    await lookUpInTurn(cache, ['a', 'b', 'c', 'b', 'a']);
    expect(loads).toEqual(['a', 'b', 'c', 'a']);
    expect((await cache.get('huge')).text).toHaveLength(5_000);
    await cache.get('huge');
    expect(loads.filter((key) => key === 'huge')).toHaveLength(2);
  });

  it("rejects with the load's own error when it fails with nothing stale to serve", async () => {
    const cause = new Error('birds collection is not an array');
    const cache = lookup({ serveStaleOnError: true, load: () => Promise.reject(cause) });
    await expect(cache.get('all')).rejects.toBe(cause);
  });
});
