import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics, type Metrics } from '../../../apps/shared/metrics.js';
import {
  keepAliveAgents,
  MalformedResponseError,
  UpstreamError,
  type UpstreamClientOptions,
} from '../../../apps/shared/upstream/upstream-client.js';
import { sampleValue } from '../../support/telemetry.js';
import { dueWithin } from '../../support/time-budget.js';
import {
  hang,
  json,
  oversized,
  raw,
  refusingUrl,
  sequence,
  startStubUpstream,
  type StubUpstream,
} from '../../../scripts/stand-ins/stub-upstream.js';
import { testClient } from './test-client.js';

const asAnything = (body: unknown) => body;
const TIMEOUT_MS = 400;

let stub: StubUpstream;
let metrics: Metrics;

beforeEach(async () => {
  stub = await startStubUpstream();
  metrics = createMetrics();
});
afterEach(() => stub.close());

function client(options: Partial<UpstreamClientOptions> = {}) {
  return testClient({ timeoutMs: TIMEOUT_MS, metrics, ...options });
}

async function outcomeCount(outcome: string) {
  return sampleValue(await metrics.registry.metrics(), 'upstream_requests_total', {
    upstream: 'facts',
    outcome,
  });
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe('UpstreamClient', () => {
  it('answers the parsed body, sends its headers and counts a success', async () => {
    stub.behave(json({ birds: 2 }));
    const body = await client({ headers: { authorization: 'Client-ID k' } }).getJson(
      `${stub.url}/birds`,
      { searchParams: { q: 'kea' }, headers: { 'x-request-id': 'r1' }, parse: asAnything },
    );
    expect(body).toEqual({ birds: 2 });
    expect(stub.requests[0]).toMatchObject({ method: 'GET', url: '/birds?q=kea' });
    expect(stub.requests[0]!.headers).toMatchObject({
      authorization: 'Client-ID k',
      'x-request-id': 'r1',
    });
    expect(await outcomeCount('success')).toBe(1);
    const exposition = await metrics.registry.metrics();
    expect(
      sampleValue(exposition, 'upstream_request_duration_seconds_count', { upstream: 'facts' }),
    ).toBe(1);
  });

  it('fails fast with "error" when the connection is refused, after bounded retries', async () => {
    const started = Date.now();
    const error = await failure(client().getJson(await refusingUrl(), { parse: asAnything }));
    expect(error.outcome).toBe('error');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    expect(await outcomeCount('error')).toBe(1);
  });

  it('gives up on a hanging upstream at the deadline with "timeout"', async () => {
    stub.behave(hang());
    const started = Date.now();
    const error = await failure(client().getJson(stub.url, { parse: asAnything }));
    const elapsed = Date.now() - started;
    expect(error.outcome).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(dueWithin(TIMEOUT_MS));
    expect(await outcomeCount('timeout')).toBe(1);
  });

  it('retries a 500 twice, then fails', async () => {
    stub.behave(json({ error: 'boom' }, { status: 500 }));
    const error = await failure(client().getJson(stub.url, { parse: asAnything }));
    expect(error.outcome).toBe('error');
    expect(stub.requests).toHaveLength(3);
  });

  it('recovers when a retry succeeds', async () => {
    stub.behave(sequence(json({}, { status: 503 }), json({ ok: true })));
    expect(await client().getJson(stub.url, { parse: asAnything })).toEqual({ ok: true });
    expect(stub.requests).toHaveLength(2);
  });

  it('honours a 429 Retry-After that fits in the deadline', async () => {
    const retryAfterMs = 1000;
    stub.behave(
      sequence(
        raw('{}', { status: 429, headers: { 'retry-after': String(retryAfterMs / 1000) } }),
        json({ ok: true }),
      ),
    );
    const answer = await client({ timeoutMs: 2000 }).getJson(stub.url, { parse: asAnything });
    expect(answer).toEqual({ ok: true });
    const [first, second] = stub.requests;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(retryAfterMs - 20);
  });

  it.each([
    ['0', '0'],
    ['a past date', 'Wed, 21 Oct 2015 07:28:00 GMT'],
    ['garbage', 'soon-ish'],
  ])('retries a 429 whose Retry-After is %s after the normal backoff', async (_case, header) => {
    stub.behave(
      sequence(
        raw('{}', { status: 429, headers: { 'retry-after': header } }),
        raw('{}', { status: 503, headers: { 'retry-after': header } }),
        json({ ok: true }),
      ),
    );
    expect(await client().getJson(stub.url, { parse: asAnything })).toEqual({ ok: true });
    const [first, second, third] = stub.requests;
    expect(stub.requests).toHaveLength(3);
    // 25 ms, then 50 ms: the backoff, not an immediate hammering.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(20);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(45);
  });

  it('does not wait for a Retry-After beyond the deadline', async () => {
    stub.behave(raw('{}', { status: 429, headers: { 'retry-after': '30' } }));
    const started = Date.now();
    const error = await failure(client().getJson(stub.url, { parse: asAnything }));
    expect(error.outcome).toBe('error');
    expect(stub.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
  });

  it('does not wait for a Retry-After longer than what is left of the deadline', async () => {
    // 1 s fits in the 1.5 s deadline, but not in the 0.9 s left after a 600 ms answer.
    stub.behave(raw('{}', { status: 429, delayMs: 600, headers: { 'retry-after': '1' } }));
    const started = Date.now();
    const error = await failure(
      client({ timeoutMs: 1500 }).getJson(stub.url, { parse: asAnything }),
    );
    expect(error.outcome).toBe('error');
    expect(stub.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("ends a call at the caller's deadline when it comes before the call's own timeout", async () => {
    stub.behave(hang());
    const started = Date.now();
    const error = await failure(
      client({ timeoutMs: 5000 }).getJson(stub.url, {
        parse: asAnything,
        deadline: started + 200,
      }),
    );
    expect(error.outcome).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not call once the deadline has passed, nor count that against the upstream', async () => {
    const upstream = client({ breakerThreshold: 1 });
    const error = await failure(
      upstream.getJson(stub.url, { parse: asAnything, deadline: Date.now() - 1 }),
    );
    expect(error.outcome).toBe('timeout');
    expect(stub.requests).toHaveLength(0);
    expect(upstream.circuitState).toBe('closed');
    expect(await outcomeCount('timeout')).toBe(1);
  });

  it('reads deadlines on the clock it is given', async () => {
    // A minute ahead of the real one: a deadline 30 s from now has passed on it.
    const upstream = client({ now: () => Date.now() + 60_000 });
    const error = await failure(
      upstream.getJson(stub.url, { parse: asAnything, deadline: Date.now() + 30_000 }),
    );
    expect(error.outcome).toBe('timeout');
    expect(stub.requests).toHaveLength(0);
  });

  it('calls through the connection pools it is given, and keeps the connection', async () => {
    stub.behave(json({ ok: true }));
    const agents = keepAliveAgents();
    try {
      await client({ agents }).getJson(stub.url, { parse: asAnything });
      expect(Object.values(agents.http.freeSockets).flat()).toHaveLength(1);
    } finally {
      agents.http.destroy();
      agents.https.destroy();
    }
  });

  it('does not retry a 404', async () => {
    stub.behave(json({ error: 'no such bird' }, { status: 404 }));
    await failure(client().getJson(stub.url, { parse: asAnything }));
    expect(stub.requests).toHaveLength(1);
  });

  it('refuses malformed JSON', async () => {
    stub.behave(raw('{"birds": [1, 2'));
    const error = await failure(client().getJson(stub.url, { parse: asAnything }));
    expect(error.outcome).toBe('error');
    expect(error.cause).toBeInstanceOf(MalformedResponseError);
  });

  it("counts a body that fails the caller's parse as an error", async () => {
    stub.behave(json({ unexpected: true }));
    const parse = () => {
      throw new MalformedResponseError('not a bird');
    };
    const error = await failure(client().getJson(stub.url, { parse }));
    expect(error.cause).toBeInstanceOf(MalformedResponseError);
    expect(await outcomeCount('error')).toBe(1);
  });

  it.each([
    ['declared in content-length', true],
    ['streamed without a length', false],
  ])('refuses a body over the size limit (%s)', async (_case, declared) => {
    stub.behave(oversized(64 * 1024, { declared }));
    const error = await failure(
      client({ maxBodyBytes: 1024 }).getJson(stub.url, { parse: asAnything }),
    );
    expect(error.outcome).toBe('error');
  });

  it('accepts a body just under the size limit', async () => {
    stub.behave(json('x'.repeat(1000)));
    expect(
      await client({ maxBodyBytes: 1024 }).getJson(stub.url, { parse: asAnything }),
    ).toHaveLength(1000);
  });

  describe('circuit breaker', () => {
    const breakerOptions = { breakerThreshold: 3, breakerHalfOpenAfterMs: 300, retryLimit: 0 };
    // Past breakerHalfOpenAfterMs: the breaker is due for its trial call.
    const pastHalfOpenDelay = () => sleep(breakerOptions.breakerHalfOpenAfterMs + 50);

    /** A client with the breaker above, of a stand-in that answers 500, which the breaker counts. */
    function failingClient() {
      stub.behave(json({}, { status: 500 }));
      return client(breakerOptions);
    }

    /** Makes `times` calls through `upstream`, one after another, each seen to fail. */
    async function failCalls(upstream: ReturnType<typeof client>, times: number) {
      for (let i = 0; i < times; i++)
        await failure(upstream.getJson(stub.url, { parse: asAnything }));
    }

    it('opens after consecutive failures, then fails in microseconds without calling', async () => {
      const upstream = failingClient();
      await failCalls(upstream, 3);
      expect(upstream.circuitState).toBe('open');
      expect(stub.requests).toHaveLength(3);

      const started = process.hrtime.bigint();
      const error = await failure(upstream.getJson(stub.url, { parse: asAnything }));
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(error.outcome).toBe('circuit_open');
      // Far below the deadline: no connection, no retry, no wait.
      expect(elapsedMs).toBeLessThan(100);
      expect(stub.requests).toHaveLength(3);
      expect(await outcomeCount('circuit_open')).toBe(1);
      const exposition = await metrics.registry.metrics();
      expect(sampleValue(exposition, 'circuit_breaker_state', { upstream: 'facts' })).toBe(1);
    });

    it('tells a caller, and counts, when it would turn a call away', async () => {
      const upstream = failingClient();
      expect(upstream.refuseIfOpen()).toBeUndefined();
      await failCalls(upstream, 3);
      const refusal = upstream.refuseIfOpen();
      expect(refusal).toBeInstanceOf(UpstreamError);
      expect(refusal!.outcome).toBe('circuit_open');
      expect(await outcomeCount('circuit_open')).toBe(1);
      // Due for its trial call: the breaker lets one through again.
      await pastHalfOpenDelay();
      expect(upstream.refuseIfOpen()).toBeUndefined();
      expect(stub.requests).toHaveLength(3);
    });

    it('closes again once a trial call succeeds after the half-open delay', async () => {
      const upstream = failingClient();
      await failCalls(upstream, 3);
      expect(upstream.circuitState).toBe('open');

      stub.behave(json({ ok: true }));
      await pastHalfOpenDelay();
      expect(await upstream.getJson(stub.url, { parse: asAnything })).toEqual({ ok: true });
      expect(upstream.circuitState).toBe('closed');
      const exposition = await metrics.registry.metrics();
      expect(sampleValue(exposition, 'circuit_breaker_state', { upstream: 'facts' })).toBe(0);
    });

    it('fails other calls fast while the half-open trial call is pending', async () => {
      const upstream = failingClient();
      await failCalls(upstream, 3);
      await pastHalfOpenDelay();

      stub.behave(hang());
      const trial = failure(upstream.getJson(stub.url, { parse: asAnything }));
      expect(upstream.circuitState).toBe('half-open');
      const started = Date.now();
      const other = await failure(upstream.getJson(stub.url, { parse: asAnything }));
      expect(other.outcome).toBe('circuit_open');
      expect(Date.now() - started).toBeLessThan(100);
      expect((await trial).outcome).toBe('timeout');
      expect(upstream.circuitState).toBe('open');
    });

    it("is not opened by 4xx answers, which are the caller's problem", async () => {
      stub.behave(json({}, { status: 404 }));
      const upstream = client(breakerOptions);
      await failCalls(upstream, 5);
      expect(upstream.circuitState).toBe('closed');
      expect(stub.requests).toHaveLength(5);
    });
  });
});
