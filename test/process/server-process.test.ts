import type { IncomingMessage, ServerResponse } from 'node:http';
import { get as httpGet } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { killAllServices, startService, waitUntil, type ServiceName } from '../support/process.js';
import { json, startStubUpstream, type StubUpstream } from '../support/stub-upstream.js';

// Each test spawns `node --import tsx`, which takes a second or two to start on a small machine.
const PROCESS_TEST = { timeout: 20_000 };
const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const UNSPLASH_KEY = 'test-key';
const IMAGE_URL = 'https://images.unsplash.com/x.jpg';
const UNSPLASH_ANSWER = { results: [{ urls: { thumb: IMAGE_URL } }] };
const ONE_LINE = /^[^\n]+\n$/;
// The stand-in Unsplash answers after the drain delay, so the request is still in flight when the
// server stops accepting. 600 ms rather than 300 leaves room for the /readyz check on a busy CI box.
const SHUTDOWN_DELAY_MS = 600;
const UNSPLASH_DELAY_MS = 900;

let stub: StubUpstream | undefined;

async function stopEverything(): Promise<void> {
  await killAllServices();
  await stub?.close();
  stub = undefined;
}

// These only start and exit, so they run side by side; each stops its own process (see runToExit).
describe.concurrent('a service started with an invalid configuration', PROCESS_TEST, () => {
  it.for([
    ['bird-image', 'PORT', 'abc'],
    ['bird', 'BIRD_IMAGE_URL', 'not a url'],
    ['bird-image', 'UPSTREAM_TIMEOUT_MS', '-5'],
    ['bird', 'LOG_LEVEL', 'loud'],
  ] as const)(
    '%s with %s=%j exits 1 with one stderr line naming both',
    async ([name, variable, value], { expect }) => {
      const { exit, stdout, stderr } = await runToExit(name, { ...BASE_ENV, [variable]: value });

      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(stdout).toBe('');
      expect(stderr).toMatch(ONE_LINE);
      expect(stderr).toContain(variable);
      expect(stderr).toContain(value);
    },
  );

  it('names an invalid secret without printing its value', async ({ expect }) => {
    const secret = 'sec ret-123';
    const { exit, stdout, stderr } = await runToExit('bird-image', {
      ...BASE_ENV,
      UNSPLASH_ACCESS_KEY: secret,
    });

    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(stdout).toBe('');
    expect(stderr).toMatch(ONE_LINE);
    expect(stderr).toContain('UNSPLASH_ACCESS_KEY');
    for (const fragment of [secret, 'ret-123', 'sec ret']) expect(stderr).not.toContain(fragment);
  });
});

describe('a running service on SIGTERM', PROCESS_TEST, () => {
  afterEach(stopEverything);

  it('turns unready, finishes the in-flight request, logs "shutdown: complete" and exits 0', async () => {
    stub = await startStubUpstream(json(UNSPLASH_ANSWER, { delayMs: UNSPLASH_DELAY_MS }));
    const service = startService('bird-image', {
      ...BASE_ENV,
      UNSPLASH_ACCESS_KEY: UNSPLASH_KEY,
      UNSPLASH_API_URL: stub.url,
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
    });
    const url = `http://127.0.0.1:${await service.waitForPort()}`;

    const inFlight = get(`${url}/?birdName=Kea`);
    await waitUntil('the stand-in Unsplash to be called', 5_000, () => stub!.requests.length > 0);
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
    const service = startService('bird', { ...BASE_ENV, SHUTDOWN_DELAY_MS: '10000' });
    const url = `http://127.0.0.1:${await service.waitForPort()}`;
    // runService logs "listening" before it installs its signal handlers, so a SIGTERM sent the
    // instant that line appears can still meet the default action. An answered request proves
    // the handlers are in place.
    expect((await get(`${url}/healthz`)).status).toBe(200);

    service.child.kill('SIGTERM');
    await service.waitForLog('shutdown: draining', 5_000);
    await sleep(200);
    expect(service.child.exitCode).toBeNull(); // the first signal only starts the drain

    const secondAt = performance.now();
    service.child.kill('SIGTERM');
    const exit = await service.waitForExit(5_000);
    expect(exit.signal).toBeNull(); // it handled the signal itself…
    expect(exit.code).not.toBe(0); // …and said it did not finish cleanly
    expect(exit.at - secondAt).toBeLessThan(3_000); // far under the 10 s delay
  });
});

describe('logs and the Unsplash key', PROCESS_TEST, () => {
  afterEach(stopEverything);

  it('writes only JSON lines, never the key, which travels only in the authorization header', async () => {
    stub = await startStubUpstream(unsplashByQuery);
    const service = startService('bird-image', {
      ...BASE_ENV,
      // The most verbose level: a key logged at any level would show here.
      LOG_LEVEL: 'trace',
      UNSPLASH_ACCESS_KEY: UNSPLASH_KEY,
      UNSPLASH_API_URL: stub.url,
      UPSTREAM_TIMEOUT_MS: '1000',
    });
    const url = `http://127.0.0.1:${await service.waitForPort()}`;

    // Successes, a cache hit, upstream failures (5xx, malformed) and client errors: every log path.
    expect((await get(`${url}/?birdName=Kea`)).body).toBe(JSON.stringify(IMAGE_URL));
    expect((await get(`${url}/?birdName=Kea`)).status).toBe(200);
    expect((await get(`${url}/?birdName=Failing%20Owl`)).status).toBe(200);
    expect((await get(`${url}/?birdName=Garbled%20Tui`)).status).toBe(200);
    expect((await get(`${url}/?birdName=${'a'.repeat(101)}`)).status).toBe(400);
    expect((await get(`${url}/nowhere`)).status).toBe(404);
    expect((await get(`${url}/metrics`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.waitForExit(5_000)).toMatchObject({ code: 0 });

    const stdout = service.stdout();
    expect(stdout.endsWith('\n')).toBe(true);
    const lines = service.stdoutLines();
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
    expect(stdout).not.toContain(UNSPLASH_KEY);
    expect(service.stderr()).not.toContain(UNSPLASH_KEY);

    expect(stub.requests.length).toBeGreaterThanOrEqual(3);
    for (const { url: path, headers } of stub.requests) {
      expect(path).not.toContain(UNSPLASH_KEY);
      expect(headers.authorization).toBe(`Client-ID ${UNSPLASH_KEY}`);
      const otherHeaders = Object.entries(headers).filter(([header]) => header !== 'authorization');
      expect(JSON.stringify(otherHeaders)).not.toContain(UNSPLASH_KEY);
    }
  });
});

// --- helpers -------------------------------------------------------------------------------

/** The stand-in Unsplash: a photo for most queries, a 500 for "Failing…", junk for "Garbled…". */
function unsplashByQuery(req: IncomingMessage, res: ServerResponse): void {
  const query = new URL(req.url ?? '/', 'http://stub').searchParams.get('query') ?? '';
  if (query.startsWith('Failing')) {
    res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":["boom"]}');
  } else if (query.startsWith('Garbled')) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[{"urls":');
  } else {
    json(UNSPLASH_ANSWER)(req, res);
  }
}

/** Runs a service that is expected to exit by itself; kills it if it does not. */
async function runToExit(name: ServiceName, env: Record<string, string>) {
  const service = startService(name, env);
  try {
    const exit = await service.waitForExit(15_000);
    return { exit, stdout: service.stdout(), stderr: service.stderr() };
  } finally {
    await service.kill();
  }
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
