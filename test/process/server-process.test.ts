import { get as httpGet } from 'node:http';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { spawnService, waitUntil } from '../support/process.js';
import { json } from '../../scripts/stand-ins/stub-upstream.js';
import { stubUpstream } from '../support/stand-ins.js';
import { dueWithin, MIN_LATENESS_MS, wellWithin } from '../support/time-budget.js';

// Each test spawns `node --import tsx`, which takes a second or two to start on a small machine.
const PROCESS_TEST = { timeout: 20_000 };
const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const IMAGE_URL = 'https://images.unsplash.com/x.jpg';
const UNSPLASH_ANSWER = { results: [{ urls: { thumb: IMAGE_URL } }] };
const ONE_LINE = /^[^\n]+\n$/;
// The /readyz check, sent once "draining" is logged, must arrive within the drain delay: twice
// the lateness a loaded machine is allowed leaves it that. The stand-in Unsplash answers after
// the delay however late the SIGTERM came, so the request is still in flight when the server
// stops accepting.
const SHUTDOWN_DELAY_MS = 2 * MIN_LATENESS_MS;
const UNSPLASH_DELAY_MS = dueWithin(SHUTDOWN_DELAY_MS);
// A budget whose calls' share still covers that answer with its own lateness: it must come as a
// photo, not a fallback.
const UPSTREAM_TIMEOUT_MS = 2 * UNSPLASH_DELAY_MS;
// Long enough that waiting it out cannot pass for exiting at once.
const LONG_SHUTDOWN_DELAY_MS = 10_000;

// The real entry points, as a container runs them: what needs the process itself (its exit code,
// its standard error, signals). What runService does with each is tested in-process, faster, in
// test/shared/run-service.test.ts.

describe('the real entry point started with an invalid configuration', PROCESS_TEST, () => {
  it('exits 1 with one stderr line naming the variable and its value', async () => {
    const service = spawnService('bird-image', { ...BASE_ENV, PORT: 'abc' });
    const exit = await service.waitForExit(15_000);

    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(service.stdout()).toBe('');
    expect(service.stderr()).toMatch(ONE_LINE);
    expect(service.stderr()).toContain('PORT');
    expect(service.stderr()).toContain('abc');
  });
});

describe('a running service on SIGTERM', PROCESS_TEST, () => {
  it('turns unready, finishes the in-flight request, logs "shutdown: complete" and exits 0', async () => {
    const stub = await stubUpstream(json(UNSPLASH_ANSWER, { delayMs: UNSPLASH_DELAY_MS }));
    const service = spawnService('bird-image', {
      ...BASE_ENV,
      UNSPLASH_ACCESS_KEY: 'test-key',
      UNSPLASH_API_URL: stub.url,
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
    });
    const url = `http://127.0.0.1:${await service.waitForPort()}`;

    const inFlight = get(`${url}/?birdName=Kea`);
    await waitUntil('the stand-in Unsplash to be called', 5_000, () => stub.requests.length > 0);
    service.child.kill('SIGTERM');
    await service.waitForLog('shutdown: draining', 5_000);

    // Within the delay: still accepting new connections, but unready.
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect(service.child.exitCode).toBeNull();

    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toBe(IMAGE_URL);

    const exit = await service.waitForExit(5_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(service.stdoutLines().map((line) => JSON.parse(line) as unknown)).toContainEqual(
      expect.objectContaining({ msg: 'shutdown: complete' }),
    );
  });

  it('exits at once, non-zero, on a second SIGTERM during the delay', async () => {
    const { service, url } = await answeringBirdWithLongDrain();
    service.child.kill('SIGTERM');
    await service.waitForLog('shutdown: draining', 5_000);
    // The first signal only starts the drain: still answering, unready.
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect(service.child.exitCode).toBeNull();

    const secondAt = performance.now();
    service.child.kill('SIGTERM');
    const exit = await service.waitForExit(5_000);
    expect(exit.signal).toBeNull(); // it handled the signal itself…
    expect(exit.code).not.toBe(0); // …and said it did not finish cleanly
    expect(exit.at - secondAt).toBeLessThan(wellWithin(LONG_SHUTDOWN_DELAY_MS));
  });
});

describe('a service killed during its drain', PROCESS_TEST, () => {
  it('has written its shutdown lines, and the request lines before them, already', async () => {
    // Its request line would otherwise wait for its batch (100 ms, or 16 KiB of lines).
    const { service, url } = await answeringBirdWithLongDrain();
    service.child.kill('SIGTERM');
    // Unready means the drain has begun, and its line was handed on in the same turn.
    while ((await get(`${url}/readyz`)).status !== 503);
    service.child.kill('SIGKILL');
    await service.waitForExit(5_000);
    const messages = service.stdoutLines().map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain('shutdown: draining');
    expect(messages.filter((msg) => msg === 'request').length).toBeGreaterThanOrEqual(1);
  });
});

// --- helpers -------------------------------------------------------------------------------

/**
 * bird with a drain of LONG_SHUTDOWN_DELAY_MS, once it has answered a `GET /healthz`: it logs
 * "listening" just after installing its signal handlers, so a SIGTERM sent the instant that line
 * appears could still meet Node's default action; an answered request proves they are in place.
 */
async function answeringBirdWithLongDrain() {
  const service = spawnService('bird', {
    ...BASE_ENV,
    SHUTDOWN_DELAY_MS: String(LONG_SHUTDOWN_DELAY_MS),
  });
  const url = `http://127.0.0.1:${await service.waitForPort()}`;
  expect((await get(`${url}/healthz`)).status).toBe(200);
  return { service, url };
}

/** A GET over a new connection. */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
