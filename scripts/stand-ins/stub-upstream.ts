import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

// The stand-in upstreams live here, outside test/ and bench/, because both use them and neither
// owns them: the bench is a tool of its own that imports nothing from test/ (the
// `bench-not-to-test` rule in .dependency-cruiser.js), and the tests should not depend on the
// bench's code either. Nothing here imports the test runner.

/** A request the stand-in upstream received. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly at: number;
}

/** How the stand-in answers; swap it at any time with `stub.behave(…)`. */
export type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

/** A real HTTP server on 127.0.0.1, standing in for a third-party API. */
export interface StubUpstream {
  /** Base URL, without a trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  behave(behaviour: Behaviour): void;
  /** Drops every connection and stops listening; a second call awaits the first. */
  close(): Promise<void>;
}

/**
 * Starts a stand-in upstream on `host` (127.0.0.1 unless containers must reach it), port 0.
 */
export async function startStubUpstream(
  initial: Behaviour = json({}),
  host = '127.0.0.1',
): Promise<StubUpstream> {
  let behaviour = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      at: Date.now(),
    });
    behaviour(req, res);
  });
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    requests,
    behave: (next) => {
      behaviour = next;
    },
    // Once: a second call (a test's own, then its teardown's) awaits the first.
    close: () =>
      (closed ??= (async () => {
        server.closeAllConnections();
        server.close();
        await once(server, 'close');
      })()),
  };
}

/** A URL nothing listens on: connections to it are refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

/** Answers `body` as JSON, after `delayMs`. */
export function json(body: unknown, { status = 200, delayMs = 0 } = {}): Behaviour {
  return raw(JSON.stringify(body), { status, delayMs });
}

/** Answers `body` as is, with a JSON content type. */
export function raw(
  body: string,
  {
    status = 200,
    delayMs = 0,
    headers = {},
  }: { status?: number; delayMs?: number; headers?: Record<string, string> } = {},
): Behaviour {
  return (_req, res) => {
    const send = () => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };
    if (delayMs > 0) setTimeout(send, delayMs);
    else send();
  };
}

/** The thumbnail URL {@link unsplashSearch} answers for `query`. */
export function thumbnailFor(query: string): string {
  return `https://images.unsplash.com/${encodeURIComponent(query)}.jpg`;
}

/** Answers like Unsplash's search: one result whose thumbnail is named after the query. */
export function unsplashSearch({ delayMs = 0 } = {}): Behaviour {
  return (req, res) => {
    const query = new URL(req.url ?? '/', 'http://stub').searchParams.get('query') ?? '';
    json(
      { total: 1, results: [{ id: 'p1', urls: { thumb: thumbnailFor(query), raw: 'x' } }] },
      { delayMs },
    )(req, res);
  };
}

/** Accepts the request and never answers. */
export function hang(): Behaviour {
  return () => undefined;
}

/** Sends `bytes` bytes of a JSON string, chunked (no content-length) unless `declared`. */
export function oversized(bytes: number, { declared = false } = {}): Behaviour {
  return (_req, res) => {
    const body = JSON.stringify('x'.repeat(bytes));
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declared ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    });
    res.end(body);
  };
}

/** Answers each request with the next behaviour of `behaviours`, then repeats the last one. */
export function sequence(...behaviours: Behaviour[]): Behaviour {
  let next = 0;
  return (req, res) => {
    const behaviour = behaviours[Math.min(next++, behaviours.length - 1)]!;
    behaviour(req, res);
  };
}
