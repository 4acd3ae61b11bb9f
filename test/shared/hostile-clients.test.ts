import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerTimeouts } from '../../apps/shared/http/http-server.js';
import { rawExchange } from '../support/raw-http.js';
import {
  bareService,
  keaAtRoot,
  serveService,
  type ServedBareService,
} from '../support/serve-service.js';
import { captureLogs, sampleValue, type CapturedLogger } from '../support/telemetry.js';
import { dueWithin } from '../support/time-budget.js';

// Short timeouts, so a test can wait them out; the services' own are in SERVER_TIMEOUTS.
const TIMEOUTS: ServerTimeouts = {
  headersMs: 300,
  requestMs: 600,
  keepAliveMs: 1_000,
  checkEveryMs: 50,
};

let logs: CapturedLogger;
let served: ServedBareService;

beforeEach(async () => {
  logs = captureLogs();
  const service = bareService((router) => {
    keaAtRoot(router);
    router.get('/stream', (ctx) => {
      ctx.type = 'text/plain';
      ctx.body = new Readable({
        read() {
          this.push('first chunk;');
          this.destroy(new Error('the disk went away'));
        },
      });
    });
  });
  served = await serveService(service, { logger: logs.logger, timeouts: TIMEOUTS });
});

const request = (head: string) => `${head}\r\nHost: 127.0.0.1\r\n\r\n`;
const exposition = async () => served.deps.metrics.registry.metrics();
const refusedLines = () =>
  logs.lines().filter((line) => line.msg === 'request refused before routing');

function expectJsonError(answer: { text: string; body: string }, status: number) {
  expect(answer.text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
  expect(answer.text.toLowerCase()).toContain('content-type: application/json');
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['error']);
  expect(typeof body.error).toBe('string');
}

describe('methods the router does not serve', () => {
  it.each(['TRACE', 'PROPFIND', 'LINK', 'UNLINK', 'PURGE', 'MKCOL', 'SEARCH'])(
    '%s on a served path: a JSON 405 with Allow, counted as a 405',
    async (method) => {
      const answer = await rawExchange(served.url, [request(`${method} / HTTP/1.1`)], {
        waitMs: 500,
      });
      expectJsonError(answer, 405);
      expect(answer.text.toLowerCase()).toMatch(/\r\nallow: [^\r]*get/);
      const counted = await exposition();
      expect(sampleValue(counted, 'http_requests_total', { method, status: '405' })).toBe(1);
      expect(sampleValue(counted, 'http_requests_total', { method, status: '501' })).toBe(0);
    },
  );

  it('PROPFIND on a path that does not exist: a JSON 404', async () => {
    const answer = await rawExchange(served.url, [request('PROPFIND /nowhere HTTP/1.1')], {
      waitMs: 500,
    });
    expectJsonError(answer, 404);
  });

  it('CONNECT: a JSON 405, the connection closed, one log line and a count', async () => {
    const answer = await rawExchange(served.url, [request('CONNECT 10.0.0.1:443 HTTP/1.1')]);
    expectJsonError(answer, 405);
    expect(answer.closedByServer).toBe(true);
    expect(refusedLines()).toMatchObject([{ level: 'warn', method: 'CONNECT', status: 405 }]);
    expect(
      sampleValue(await exposition(), 'http_requests_total', { method: 'CONNECT', status: '405' }),
    ).toBe(1);
  });
});

describe('requests Node refuses before Koa sees them', () => {
  it.each([
    ['headers over the size limit', request(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}`), 431],
    ['a URL over the size limit', request(`GET /?q=${'a'.repeat(20_000)} HTTP/1.1`), 431],
    ['a malformed request line', 'GET / HTTP/1.1 trailing\r\n\r\n', 400],
    ['an invalid method', request('BR EW / HTTP/1.1'), 400],
    [
      'a smuggling attempt (Content-Length with Transfer-Encoding)',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
  ])('%s: a JSON error, one log line, a count', async (_case, sent, status) => {
    const answer = await rawExchange(served.url, [sent]);
    expectJsonError(answer, status);
    expect(answer.closedByServer).toBe(true);
    expect(refusedLines()).toMatchObject([{ level: 'warn', status }]);
    expect(
      sampleValue(await exposition(), 'http_requests_total', {
        route: 'unparsed',
        status: String(status),
      }),
    ).toBe(1);
  });
});

describe('timeouts', () => {
  it('answers an HTTP/0.9 request line with a JSON 408 once the request timeout passes', async () => {
    const answer = await rawExchange(served.url, ['GET /\r\n']);
    expectJsonError(answer, 408);
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(dueWithin(TIMEOUTS.requestMs));
  });

  it('cuts a client sending its headers a byte at a time at the headers timeout', async () => {
    const trickle = ['GET / HTTP/1.1\r\n', ...Array.from({ length: 30 }, () => 'X')];
    const answer = await rawExchange(served.url, trickle, { gapMs: 50 });
    expectJsonError(answer, 408);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 20);
    expect(answer.elapsedMs).toBeLessThan(dueWithin(TIMEOUTS.headersMs));
  });

  it('does not keep a connection whose body never finishes beyond the request timeout', async () => {
    const slowBody = 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab';
    const answer = await rawExchange(served.url, [slowBody]);
    expect(answer.closedByServer).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(dueWithin(TIMEOUTS.requestMs));
  });

  it('keeps an idle keep-alive connection open past the headers timeout', async () => {
    // Halfway between the two timeouts: as far from the one it must pass as from the one it must not.
    const waitMs = (TIMEOUTS.headersMs + TIMEOUTS.keepAliveMs) / 2;
    const answer = await rawExchange(served.url, [request('GET / HTTP/1.1')], { waitMs });
    expect(answer.status).toBe(200);
    expect(answer.closedByServer).toBe(false);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout, not before', async () => {
    const answer = await rawExchange(served.url, [request('GET / HTTP/1.1')]);
    expect(answer.status).toBe(200);
    expect(answer.text.toLowerCase()).toContain('keep-alive: timeout=1\r\n');
    expect(answer.closedByServer).toBe(true);
    // Node 20 closes an idle connection up to 1 s after the timeout it announces (a buffer in
    // lib/_http_server.js), so that a client told the shorter one never sends into a closing socket.
    const NODE_KEEP_ALIVE_BUFFER_MS = 1_000;
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(TIMEOUTS.keepAliveMs - 20);
    expect(answer.elapsedMs).toBeLessThan(
      dueWithin(TIMEOUTS.keepAliveMs + NODE_KEEP_ALIVE_BUFFER_MS),
    );
  });
});

describe('errors after an answer has begun', () => {
  it('logs one JSON line instead of printing a stack trace on stderr', async () => {
    const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const answer = await rawExchange(served.url, [request('GET /stream HTTP/1.1')]);
      expect(answer.closedByServer).toBe(true);
      await vi.waitFor(() =>
        // (Koa reports a failed stream twice: once from the stream, once from its own handler.)
        expect(logs.lines()).toContainEqual(
          expect.objectContaining({
            level: 'warn',
            msg: 'response failed',
            reason: 'the disk went away',
          }),
        ),
      );

      expect(printed).not.toHaveBeenCalled();
    } finally {
      printed.mockRestore();
    }
  });
});
