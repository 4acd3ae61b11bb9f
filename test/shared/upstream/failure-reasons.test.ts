import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../apps/shared/metrics.js';
import { withFallback } from '../../../apps/shared/upstream/fallback.js';
import { MalformedResponseError } from '../../../apps/shared/upstream/upstream-client.js';
import { captureLogs } from '../../support/telemetry.js';
import {
  hang,
  json,
  oversized,
  raw,
  refusingUrl,
  startStubUpstream,
  type Behaviour,
  type StubUpstream,
} from '../../../scripts/stand-ins/stub-upstream.js';
import { testClient } from './test-client.js';

const MAX_BODY_BYTES = 1024;
// Long enough that no answer below is cut short on a loaded machine; the hanging upstream is
// given HANG_TIMEOUT_MS instead.
const TIMEOUT_MS = 10_000;
const HANG_TIMEOUT_MS = 400;

let stub: StubUpstream;
beforeEach(async () => {
  stub = await startStubUpstream();
});
afterEach(() => stub.close());

/** The `reason` the fallback's log line gives when a call to `url` fails. */
async function loggedReason(
  url: string,
  parse: (body: unknown) => unknown = (body) => body,
  timeoutMs = TIMEOUT_MS,
): Promise<unknown> {
  const logs = captureLogs();
  const metrics = createMetrics();
  const client = testClient({
    timeoutMs,
    maxBodyBytes: MAX_BODY_BYTES,
    retryLimit: 0,
    metrics,
    logger: logs.logger,
  });
  const answer = await withFallback('facts', () => client.getJson(url, { parse }), 'fallback', {
    metrics,
    logger: logs.logger,
  });
  expect(answer).toBe('fallback');
  const lines = logs
    .lines()
    .filter((line) => line.msg === 'upstream failed: answering with a fallback');
  expect(lines).toHaveLength(1);
  return lines[0]!.reason;
}

// A small gzip body that inflates past the limit: the limit must count what it inflates to.
function gzipBomb(): Behaviour {
  const inflated = JSON.stringify('x'.repeat(64 * MAX_BODY_BYTES));
  const body = gzipSync(inflated);
  expect(body.length).toBeLessThan(MAX_BODY_BYTES);
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    res.end(body);
  };
}

describe('the logged cause of an upstream failure', () => {
  it.each([
    ['a body over the limit, declared', oversized(64 * 1024, { declared: true })],
    ['a body over the limit, streamed', oversized(64 * 1024)],
    ['a compressed body that inflates over the limit', gzipBomb()],
  ])('%s: "body over N bytes"', async (_case, behaviour) => {
    stub.behave(behaviour);
    expect(await loggedReason(stub.url)).toBe(`body over ${MAX_BODY_BYTES} bytes`);
  });

  it.each([301, 302, 307, 308])('a redirect (%i): "redirect (N) not followed"', async (status) => {
    stub.behave(raw('', { status, headers: { location: 'https://elsewhere.example/' } }));
    expect(await loggedReason(stub.url)).toBe(`redirect (${status}) not followed`);
  });

  it.each([404, 429, 500, 503])('a %i answer: "status N"', async (status) => {
    stub.behave(json({ error: 'no' }, { status }));
    expect(await loggedReason(stub.url)).toBe(`status ${status}`);
  });

  it('a hanging upstream: "no answer within N ms", N the time the call had', async () => {
    stub.behave(hang());
    expect(await loggedReason(stub.url, undefined, HANG_TIMEOUT_MS)).toBe(
      `no answer within ${HANG_TIMEOUT_MS} ms`,
    );
  });

  it('a refused connection: "connection refused (ECONNREFUSED)"', async () => {
    expect(await loggedReason(await refusingUrl())).toBe('connection refused (ECONNREFUSED)');
  });

  it('a body that is not JSON: "response body is not JSON"', async () => {
    stub.behave(raw('<html>maintenance</html>'));
    expect(await loggedReason(stub.url)).toBe('response body is not JSON');
  });

  it("a body the caller refuses: the caller's words", async () => {
    stub.behave(json({ unexpected: true }));
    const parse = () => {
      throw new MalformedResponseError('birds collection is not an array');
    };
    expect(await loggedReason(stub.url, parse)).toBe('birds collection is not an array');
  });
});
