import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A `node:http` server of the bench, listening on 127.0.0.1. */
export interface LocalServer {
  /** Base URL, without a trailing slash. */
  readonly url: string;
  /** Requests received so far. */
  readonly requests: () => number;
  /** Connections accepted so far: with keep-alive, far fewer than requests. */
  readonly connections: () => number;
  /** Destroys every open connection (a hung one included) and stops listening. */
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1, port 0. */
export async function startLocalServer(handler: RequestListener): Promise<LocalServer> {
  let requests = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    connections: () => connections,
    close: async () => {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** Where the stand-in Unsplash's photos are: every thumbnail URL it gives starts with this. */
export const STAND_IN_PHOTOS = 'https://images.unsplash.com/stand-in/';

/** The thumbnail URL the stand-in Unsplash gives for `query`. */
export function thumbnailFor(query: string): string {
  return `${STAND_IN_PHOTOS}${encodeURIComponent(query)}.jpg`;
}

/**
 * A stand-in for Unsplash's search: `GET /search/photos?query=X` answers one result whose
 * `urls.thumb` is {@link thumbnailFor}(X), after `latencyMs` (an internet round trip).
 */
export function startStandInUnsplash(latencyMs: number): Promise<LocalServer> {
  return startLocalServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://stand-in').searchParams.get('query') ?? '';
    const body = JSON.stringify({ results: [{ urls: { thumb: thumbnailFor(query) } }] });
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }, latencyMs);
  });
}

/** A dead upstream: it accepts connections and requests and never answers. */
export function startDeadUpstream(): Promise<LocalServer> {
  return startLocalServer(() => undefined);
}
