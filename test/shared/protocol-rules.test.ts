import { beforeEach, describe, expect, it } from 'vitest';
import { rawExchange } from '../support/raw-http.js';
import {
  bareService,
  keaAtRoot,
  serveService,
  type ServedBareService,
} from '../support/serve-service.js';
import { captureLogs, sampleValue, type CapturedLogger } from '../support/telemetry.js';

// What Node's HTTP server answers by itself, after parsing, unless told otherwise
// (lib/_http_server.js, Node 20, parserOnIncoming): a bare 400 to an HTTP/1.1 request without
// Host, a bare 417 to an Expect other than 100-continue. Each must be an answer of the app's.

let logs: CapturedLogger;
let served: ServedBareService;

beforeEach(async () => {
  logs = captureLogs();
  served = await serveService(bareService(keaAtRoot), { logger: logs.logger });
});

/** Sends `head` and its header lines as one request, and reads what comes back. */
const send = (head: string, headers: readonly string[]) =>
  // Every exchange below ends with the server closing; the wait only bounds a broken one.
  rawExchange(served.url, [`${[head, ...headers].join('\r\n')}\r\n\r\n`], { waitMs: 5_000 });

/** Expects a JSON error with `status`, one `request` log line and one count for it. */
async function expectAnsweredByApp(
  answer: { text: string; body: string },
  status: number,
  message: string,
) {
  expect(answer.text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(answer.text.toLowerCase()).toContain('content-type: application/json');
  expect(JSON.parse(answer.body)).toEqual({ error: message });
  expect(logs.lines().filter((line) => line.msg === 'request')).toMatchObject([
    { level: 'info', status, route: 'unmatched' },
  ]);
  const counted = await served.deps.metrics.registry.metrics();
  expect(sampleValue(counted, 'http_requests_total', { status: String(status) })).toBe(1);
}

describe('the Host header (RFC 9112 §3.2)', () => {
  it('an HTTP/1.1 request without Host: a JSON 400, logged and counted, connection closed', async () => {
    const answer = await send('GET / HTTP/1.1', ['Accept: */*']);
    await expectAnsweredByApp(answer, 400, 'the Host header is required');
    expect(answer.closedByServer).toBe(true);
  });

  it('two Host headers: a JSON 400, logged and counted, connection closed', async () => {
    const answer = await send('GET / HTTP/1.1', ['Host: 127.0.0.1', 'Host: evil.example']);
    await expectAnsweredByApp(answer, 400, 'one Host header at most');
    expect(answer.closedByServer).toBe(true);
  });

  it('two Host headers of one value, in any case: still a 400', async () => {
    const answer = await send('GET / HTTP/1.1', ['Host: 127.0.0.1', 'HOST: 127.0.0.1']);
    await expectAnsweredByApp(answer, 400, 'one Host header at most');
  });

  it('an HTTP/1.0 request without Host is served (the Host rule is HTTP/1.1’s)', async () => {
    const answer = await send('GET / HTTP/1.0', []);
    expect(answer.status).toBe(200);
  });

  it('one Host header is served', async () => {
    const answer = await send('GET / HTTP/1.1', ['Host: 127.0.0.1', 'Connection: close']);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ bird: 'kea' });
  });
});

describe('Expect', () => {
  it('an expectation other than 100-continue: a JSON 417, logged and counted', async () => {
    const answer = await send('GET / HTTP/1.1', [
      'Host: 127.0.0.1',
      'Expect: bogus',
      'Connection: close',
    ]);
    await expectAnsweredByApp(answer, 417, 'the only expectation met is 100-continue');
  });

  it('100-continue is met: 100, then the answer', async () => {
    const answer = await send('GET / HTTP/1.1', [
      'Host: 127.0.0.1',
      'Expect: 100-continue',
      'Connection: close',
    ]);
    expect(answer.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});
