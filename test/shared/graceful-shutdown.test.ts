import { once } from 'node:events';
import { Agent, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { gracefulShutdown } from '../../apps/shared/graceful-shutdown.js';
import type { Readiness } from '../../apps/shared/http/health.js';
import { createLogger } from '../../apps/shared/logger.js';
import { rawExchange } from '../support/raw-http.js';
import { bareService, serveService } from '../support/serve-service.js';
import { dueWithin, wellWithin } from '../support/time-budget.js';

// Big enough to take several writes, so a cut connection cannot pass for a full answer.
const SLOW_BODY_PADDING = 256 * 1024;

let running: Running | undefined;
const agents: Agent[] = [];
const shutdowns: Promise<number>[] = [];

afterEach(async () => {
  running?.release();
  for (const agent of agents.splice(0)) agent.destroy();
  // With the slow request released, the agents' connections gone and short delays, a pending
  // shutdown settles quickly (the server itself is closed when the test is done).
  await Promise.allSettled(shutdowns.splice(0));
  running = undefined;
});

describe('gracefulShutdown', () => {
  it('turns /readyz 503 at once, keeps /healthz 200 and keeps accepting new connections during the delay', async () => {
    const { port, url } = await start();
    expect((await get(`${url}/readyz`)).status).toBe(200);

    const shutdown = startShutdown({ delayMs: 1_000, timeoutMs: 5_000 });
    // Each `get` opens a new connection (no agent), so these also prove the server still accepts.
    const readyz = await get(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(JSON.parse(readyz.body)).toEqual({ status: 'draining' });
    expect((await get(`${url}/healthz`)).status).toBe(200);
    expect(await tryConnect(port)).toBe('connected');

    await sleep(300);
    expect(shutdown.settled()).toBe(false);
    expect(await tryConnect(port)).toBe('connected');
    expect((await get(`${url}/readyz`)).status).toBe(503);
    expect((await get(`${url}/healthz`)).status).toBe(200);

    expect(await shutdown.promise).toBe(0);
    expect(shutdown.elapsedMs()).toBeGreaterThanOrEqual(1_000 - 5);
  });

  it('stops accepting after the delay, lets an in-flight request finish, then resolves 0', async () => {
    const { port, url } = await start();
    const slow = get(`${url}/slow`);
    await running!.slowStarted;

    const shutdown = startShutdown({ delayMs: 200, timeoutMs: 5_000 });
    await sleep(200 + 150);
    expect(await tryConnect(port)).toBe('refused');
    await sleep(200);
    expect(shutdown.settled()).toBe(false);

    const reply = await releaseSlow(slow);
    const body = JSON.parse(reply.body) as { done: boolean; padding: string };
    expect(body.done).toBe(true);
    expect(body.padding).toHaveLength(SLOW_BODY_PADDING);

    expect(await shutdown.promise).toBe(0);
  });

  it('does not wait for idle keep-alive connections', async () => {
    const { url } = await start();
    const agent = keepAliveAgent();
    const first = await get(`${url}/healthz`, agent);
    const second = await get(`${url}/healthz`, agent);
    expect(second.socket).toBe(first.socket); // one connection, reused: keep-alive is on
    await waitFor(() => freeSocketCount(agent) === 1);

    const shutdown = startShutdown({ delayMs: 0, timeoutMs: 5_000 });
    expect(await shutdown.promise).toBe(0);
    // The server's keep-alive timeout is 65 s; this must not wait for it, nor for the deadline.
    expect(shutdown.elapsedMs()).toBeLessThan(wellWithin(5_000));
    await closedWithin(first.socket, 1_000);
  });

  it('closes a keep-alive connection right after its in-flight request finishes', async () => {
    const { url } = await start();
    const agent = keepAliveAgent();
    const warmUp = await get(`${url}/healthz`, agent);
    const slow = get(`${url}/slow`, agent);
    await running!.slowStarted;

    const shutdown = startShutdown({ delayMs: 0, timeoutMs: 5_000 });
    await sleep(300);
    expect(shutdown.settled()).toBe(false);

    const reply = await releaseSlow(slow);
    expect(reply.socket).toBe(warmUp.socket); // the request really travelled on the kept-alive one

    expect(await shutdown.promise).toBe(0);
    expect(shutdown.settledAt()! - reply.endedAt).toBeLessThan(wellWithin(5_000)); // not the deadline
    await closedWithin(reply.socket, 1_000);
  });

  it('answers with Connection: close from the moment shutdown begins, and closes after each answer', async () => {
    const { url } = await start();
    const agent = keepAliveAgent();
    const before = await get(`${url}/healthz`, agent);
    expect(before.connection).toBe('keep-alive');
    const slow = get(`${url}/slow`, agent);
    await running!.slowStarted;

    // A delay long enough for both answers below, on a loaded machine too.
    const shutdown = startShutdown({ delayMs: 3_000, timeoutMs: 5_000 });
    // Under way when shutdown began, its headers not yet written: it closes too.
    running!.release();
    const inFlight = await slow;
    expect(inFlight.socket).toBe(before.socket);
    expect(inFlight.connection).toBe('close');
    await closedWithin(inFlight.socket, 2_000);

    // During the delay, still served, each on a connection closed after its answer.
    const during = await get(`${url}/healthz`, agent);
    expect(during.status).toBe(200);
    expect(during.connection).toBe('close');
    expect(shutdown.settled()).toBe(false);
    await closedWithin(during.socket, 2_000);
    expect(await shutdown.promise).toBe(0);
  });

  it.each([
    ['half-sent headers', ['GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ']],
    [
      'a body that never finishes',
      ['POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nab'],
    ],
    ['a connection that never sent a byte', []],
  ])('ends a connection with %s at once and resolves 0', async (_case, chunks) => {
    const { url } = await start();
    const half = rawExchange(url, chunks, { waitMs: 5_000 });
    await sleep(100);

    const shutdown = startShutdown({ delayMs: 0, timeoutMs: 5_000 });
    expect(await shutdown.promise).toBe(0);
    expect(shutdown.elapsedMs()).toBeLessThan(wellWithin(5_000));
    expect((await half).closedByServer).toBe(true);
  });

  it('cuts a request that outlives the timeout and resolves 1 at about the timeout', async () => {
    const { url } = await start();
    const slow = get(`${url}/slow`).then(
      (reply) => reply,
      (error: unknown) => error,
    );
    await running!.slowStarted;

    const shutdown = startShutdown({ delayMs: 0, timeoutMs: 400 });
    expect(await shutdown.promise).toBe(1);
    expect(shutdown.elapsedMs()).toBeGreaterThanOrEqual(400 - 5);
    expect(shutdown.elapsedMs()).toBeLessThan(dueWithin(400));

    const outcome = await slow;
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });
});

// --- helpers -------------------------------------------------------------------------------

/** A served app with a `/slow` route that answers only once the test calls `release()`. */
interface Running {
  readonly server: Server;
  readonly readiness: Readiness;
  readonly port: number;
  readonly url: string;
  /** Resolves when `/slow` has received a request. */
  readonly slowStarted: Promise<void>;
  /** Lets `/slow` answer. */
  readonly release: () => void;
}

async function start(): Promise<Running> {
  const started = deferred();
  const gate = deferred();
  const service = bareService((router) => {
    router.get('/slow', async (ctx) => {
      started.resolve();
      await gate.promise;
      ctx.body = { done: true, padding: 'x'.repeat(SLOW_BODY_PADDING) };
    });
  });
  const { server, deps, url } = await serveService(service);
  running = {
    server,
    readiness: deps.readiness,
    port: Number(new URL(url).port),
    url,
    slowStarted: started.promise,
    release: gate.resolve,
  };
  return running;
}

/** Lets `/slow` answer, and expects the whole answer to arrive. */
async function releaseSlow(slow: Promise<Reply>): Promise<Reply> {
  running!.release();
  const reply = await slow;
  expect(reply.status).toBe(200);
  expect(reply.complete).toBe(true);
  return reply;
}

/** Starts `gracefulShutdown` on the running server without awaiting it, and times it. */
function startShutdown(options: { delayMs: number; timeoutMs: number }) {
  const { server, readiness } = running!;
  const startedAt = performance.now();
  let settledAt: number | undefined;
  const promise = gracefulShutdown({
    server,
    readiness,
    logger: createLogger('silent'),
    ...options,
  });
  shutdowns.push(promise);
  const markSettled = () => {
    settledAt = performance.now();
  };
  promise.then(markSettled, markSettled);
  return {
    promise,
    settled: () => settledAt !== undefined,
    settledAt: () => settledAt,
    elapsedMs: () => (settledAt ?? performance.now()) - startedAt,
  };
}

interface Reply {
  readonly status: number;
  /** The answer's `Connection` header, lower-cased; `undefined` when it had none. */
  readonly connection: string | undefined;
  readonly body: string;
  /** Whether the whole message arrived (false when the connection was cut). */
  readonly complete: boolean;
  readonly socket: Socket;
  readonly endedAt: number;
}

/** A GET over a new connection (`agent` false) or over `agent`'s pool. */
function get(url: string, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let socket: Socket | undefined;
    const req = request(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          connection: res.headers.connection?.toLowerCase(),
          body: Buffer.concat(chunks).toString(),
          complete: res.complete,
          socket: socket!,
          endedAt: performance.now(),
        }),
      );
    });
    req.on('socket', (assigned) => {
      socket = assigned;
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a bare TCP connection: does the server still accept? */
async function tryConnect(port: number): Promise<'connected' | 'refused'> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    return 'connected';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') return 'refused';
    throw error;
  } finally {
    socket.destroy();
  }
}

function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

function freeSocketCount(agent: Agent): number {
  return Object.values(agent.freeSockets).reduce((sum, list) => sum + (list?.length ?? 0), 0);
}

async function closedWithin(socket: Socket, ms: number): Promise<void> {
  if (socket.closed) return;
  const closed = once(socket, 'close').then(() => true);
  const result = await Promise.race([closed, sleep(ms, false)]);
  expect(result, `socket still open ${ms} ms later`).toBe(true);
}

async function waitFor(condition: () => boolean, ms = 1_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(10);
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
