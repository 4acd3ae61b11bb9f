import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../../apps/shared/metrics.js';
import { BudgetSpentError, TokenBucket } from '../../../apps/shared/upstream/token-bucket.js';
import {
  upstreamLookup,
  type UpstreamLookupOptions,
  type UpstreamProtocol,
} from '../../../apps/shared/upstream/upstream-lookup.js';
import { sampleValue } from '../../support/telemetry.js';
import {
  json,
  startStubUpstream,
  type StubUpstream,
} from '../../../scripts/stand-ins/stub-upstream.js';
import { testClient } from './test-client.js';

interface Echo {
  readonly text: string;
}

// Asks `GET {url}/echo?key=…` and keeps the answer's `text`; an empty text is a miss.
const ECHO: UpstreamProtocol<Echo> = {
  cache: { ttlMs: 60_000, missTtlMs: 60_000, maxEntries: 10, maxBytes: 1024 * 1024 },
  calls: 'echo calls',
  request: (url, key, { requestId }) => ({
    url: `${url}/echo`,
    searchParams: { key },
    headers: { 'x-request-id': requestId ?? 'none' },
  }),
  parse: (body) => ({ text: String((body as { text?: unknown }).text) }),
  strings: ({ text }) => [text],
  isMiss: ({ text }) => text === '',
};

let stub: StubUpstream;
let metrics: Metrics;
beforeEach(async () => {
  stub = await startStubUpstream(json({ text: 'hello' }));
  metrics = createMetrics();
});
afterEach(() => stub.close());

function lookup(options: Partial<UpstreamLookupOptions> = {}) {
  return upstreamLookup(ECHO, {
    upstream: testClient({ timeoutMs: 2000, metrics }),
    url: stub.url,
    metrics,
    ...options,
  });
}

async function sample(name: string, labels: Record<string, string>) {
  return sampleValue(await metrics.registry.metrics(), name, labels);
}

describe('upstreamLookup', () => {
  it("calls what the protocol asks, once per key, and counts under the client's name", async () => {
    const echo = lookup();
    expect(await echo.get('kea', { requestId: 'r-1' })).toEqual({ text: 'hello' });
    expect(await echo.get('kea', { requestId: 'r-2' })).toEqual({ text: 'hello' });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]!.url).toBe('/echo?key=kea');
    expect(stub.requests[0]!.headers['x-request-id']).toBe('r-1');
    expect(await sample('cache_lookups_total', { cache: 'facts', result: 'hit' })).toBe(1);
  });

  it("ends the call at the call's deadline", async () => {
    stub.behave(json({ text: 'late' }, { delayMs: 500 }));
    const started = Date.now();
    await expect(lookup().get('kea', { deadline: started + 100 })).rejects.toMatchObject({
      outcome: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(450);
  });

  it("takes the options' cache settings over the protocol's", async () => {
    const echo = lookup({ cache: { ttlMs: 20 } });
    await echo.get('kea');
    await new Promise((resolve) => setTimeout(resolve, 40));
    await echo.get('kea');
    expect(stub.requests).toHaveLength(2);
  });

  it('keeps a miss for missTtlMs', async () => {
    stub.behave(json({ text: '' }));
    const echo = lookup({ cache: { missTtlMs: 20 } });
    await echo.get('dodo');
    await echo.get('dodo');
    expect(stub.requests).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await echo.get('dodo');
    expect(stub.requests).toHaveLength(2);
  });

  it('spends one token per miss, then rejects without a call and counts the refusal', async () => {
    const echo = lookup({ budget: new TokenBucket({ capacity: 1, perHour: 0 }) });
    await echo.get('kea');
    const refusal = echo.get('kiwi');
    await expect(refusal).rejects.toBeInstanceOf(BudgetSpentError);
    await expect(refusal).rejects.toThrow('the budget of echo calls is spent');
    expect(await echo.get('kea')).toEqual({ text: 'hello' });
    expect(stub.requests).toHaveLength(1);
    expect(await sample('upstream_budget_refusals_total', { upstream: 'facts' })).toBe(1);
  });
});
