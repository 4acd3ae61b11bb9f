import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { birdService } from '../../apps/bird/service.js';
import { birdImageService } from '../../apps/bird-image/service.js';
import type { Env } from '../../apps/shared/config.js';
import { logDestination } from '../../apps/shared/readable-logs.js';
import { runInProcess } from '../support/in-process.js';
import { waitUntil } from '../support/process.js';
import {
  json,
  startStubUpstream,
  type StubUpstream,
} from '../../scripts/stand-ins/stub-upstream.js';

// runService, run in this process with its exit, output and signals handed in: what the real
// process does with them (exit codes, signals) is in test/process/server-process.test.ts.

/** Runs a service in this process, by name. */
const RUN = {
  bird: (env: Env) => runInProcess(birdService, env),
  'bird-image': (env: Env) => runInProcess(birdImageService, env),
} as const;
const BASE_ENV = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
const ONE_LINE = /^[^\n]+\n$/;

let stub: StubUpstream | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

describe('a service started with an invalid configuration', () => {
  it.for([
    ['bird-image', 'PORT', 'abc'],
    ['bird', 'BIRD_IMAGE_URL', 'not a url'],
    ['bird-image', 'UPSTREAM_TIMEOUT_MS', '-5'],
    ['bird', 'LOG_LEVEL', 'loud'],
  ] as const)(
    '%s with %s=%j exits 1 with one stderr line naming both',
    async ([name, variable, value]) => {
      const service = await RUN[name]({ ...BASE_ENV, [variable]: value });

      expect(service.exitCode()).toBe(1);
      expect(service.stdout()).toBe('');
      expect(service.stderr()).toMatch(ONE_LINE);
      expect(service.stderr()).toContain(variable);
      expect(service.stderr()).toContain(value);
    },
  );

  it('names an invalid secret without printing its value', async () => {
    const secret = 'sec ret-123';
    const service = await runInProcess(birdImageService, {
      ...BASE_ENV,
      UNSPLASH_ACCESS_KEY: secret,
    });

    expect(service.exitCode()).toBe(1);
    expect(service.stdout()).toBe('');
    expect(service.stderr()).toMatch(ONE_LINE);
    expect(service.stderr()).toContain('UNSPLASH_ACCESS_KEY');
    for (const fragment of [secret, 'ret-123', 'sec ret']) {
      expect(service.stderr()).not.toContain(fragment);
    }
  });
});

describe('a port already in use', () => {
  it.each(['bird', 'bird-image'] as const)(
    'stops %s with one line naming the port, like a configuration error',
    async (name) => {
      const taken = createServer().listen(0, '127.0.0.1');
      await once(taken, 'listening');
      const { port } = taken.address() as AddressInfo;
      try {
        const service = await RUN[name]({
          PORT: String(port),
          HOST: '127.0.0.1',
        });
        expect(service.exitCode()).toBe(1);
        expect(service.stderr()).toBe(
          `${name}: port ${port} is already in use on 127.0.0.1: stop what uses it, or set PORT to another port\n`,
        );
        expect(service.stdout()).not.toContain('fatal');
      } finally {
        taken.close();
      }
    },
  );
});

describe('LOG_FORMAT', () => {
  it('pretty: one readable line per event, a request as method, path, status and time', async () => {
    const service = await runInProcess(birdService, {
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_FORMAT: 'pretty',
    });
    const lines = () => service.stdout().split('\n');
    await waitUntil('the listening line', 15_000, () =>
      lines().some((line) => /INFO: listening \{.*"port":\d+/.test(line)),
    );
    const port = /"port":(\d+)/.exec(service.stdout())![1]!;
    await fetch(`http://127.0.0.1:${port}/healthz`);
    await waitUntil('the request line', 15_000, () =>
      lines().some((line) => /INFO: request: GET \/healthz → 200 in [\d.]+ ms/.test(line)),
    );
    expect(lines().filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('auto: readable on a terminal, JSON otherwise (production, pipes, files)', async () => {
    expect(await logDestination('auto', false)).toBeUndefined();
    expect(await logDestination('json', true)).toBeUndefined();
    expect(await logDestination('auto', true)).toBeDefined();
    expect(await logDestination('pretty', false)).toBeDefined();
  });
});

describe('logs and the Unsplash key', () => {
  const UNSPLASH_KEY = 'test-key';
  const IMAGE_URL = 'https://images.unsplash.com/x.jpg';
  const UNSPLASH_ANSWER = { results: [{ urls: { thumb: IMAGE_URL } }] };

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

  it('writes only JSON lines, never the key, which travels only in the authorization header', async () => {
    stub = await startStubUpstream(unsplashByQuery);
    const service = await runInProcess(birdImageService, {
      ...BASE_ENV,
      // The most verbose level: a key logged at any level would show here.
      LOG_LEVEL: 'trace',
      UNSPLASH_ACCESS_KEY: UNSPLASH_KEY,
      UNSPLASH_API_URL: stub.url,
      UPSTREAM_TIMEOUT_MS: '1000',
    });
    const url = `http://127.0.0.1:${await service.waitForPort()}`;
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: await response.text() };
    };

    // Successes, a cache hit, upstream failures (5xx, malformed) and client errors: every log path.
    expect((await get(`/?birdName=Kea`)).body).toBe(JSON.stringify(IMAGE_URL));
    expect((await get(`/?birdName=Kea`)).status).toBe(200);
    expect((await get(`/?birdName=Failing%20Owl`)).status).toBe(200);
    expect((await get(`/?birdName=Garbled%20Tui`)).status).toBe(200);
    expect((await get(`/?birdName=${'a'.repeat(101)}`)).status).toBe(400);
    expect((await get(`/nowhere`)).status).toBe(404);
    expect((await get(`/metrics`)).status).toBe(200);
    service.signal('SIGTERM');
    expect(await service.exited).toBe(0);

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
