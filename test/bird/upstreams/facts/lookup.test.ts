import { afterEach, describe, expect, it } from 'vitest';
import { FactsLookup } from '../../../../apps/bird/upstreams/facts/lookup.js';
import { createLogger } from '../../../../apps/shared/logger.js';
import { createMetrics } from '../../../../apps/shared/metrics.js';
import { UpstreamClient } from '../../../../apps/shared/upstream/upstream-client.js';
import {
  json,
  sequence,
  startStubUpstream,
  type StubUpstream,
} from '../../../../scripts/stand-ins/stub-upstream.js';

// Room for a cold first call on a busy machine: this test is about the cache, not deadlines.
const TIMEOUT_MS = 2000;
const collection = [{ name: 'Kea', description: 'An alpine parrot.' }, { name: 'Kakapo' }];

let facts: StubUpstream | undefined;
afterEach(() => facts?.close());

describe('FactsLookup', () => {
  it('keeps serving the last good collection when a refresh fails', async () => {
    const FACTS_TTL_MS = 20;
    facts = await startStubUpstream(sequence(json(collection), json({}, { status: 500 })));
    const metrics = createMetrics();
    const source = new FactsLookup({
      upstream: new UpstreamClient({
        name: 'facts',
        timeoutMs: TIMEOUT_MS,
        maxBodyBytes: 4096,
        metrics,
        logger: createLogger('silent'),
      }),
      url: facts.url,
      metrics,
      cache: { ttlMs: FACTS_TTL_MS },
    });
    expect((await source.randomFact()).name).toMatch(/Kea|Kakapo/);
    // Twice the TTL: stale by then, whatever the resolution of the timer and the cache's clock.
    await new Promise((resolve) => setTimeout(resolve, 2 * FACTS_TTL_MS));
    expect((await source.randomFact()).name).toMatch(/Kea|Kakapo/);
    expect(facts.requests.length).toBeGreaterThanOrEqual(2);
  });
});
