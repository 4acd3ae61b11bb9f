import {
  STATUS_CODES,
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type Koa from 'koa';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ErrorBody } from './errors.js';
import { passUnmetExpectationsToApp } from './protocol-rules.js';

/** How long a client may take, in milliseconds; each is a `node:http` server setting. */
export interface ServerTimeouts {
  /** From a request's first byte to the end of its headers (`headersTimeout`): a slowloris. */
  readonly headersMs: number;
  /** From a request's first byte to the end of its body (`requestTimeout`): a slow body. */
  readonly requestMs: number;
  /** How long an idle keep-alive connection is kept (`keepAliveTimeout`). */
  readonly keepAliveMs: number;
  /** How often the two timeouts above are checked (`connectionsCheckingInterval`). */
  readonly checkEveryMs: number;
}

/**
 * The services' timeouts. Keep-alive outlasts the ingress controller's idle timeout (60 s for
 * ingress-nginx), so the proxy, not us, closes idle upstream connections; otherwise it may send a
 * request into a closing socket. A GET has no body worth waiting for: 10 s for headers and 15 s
 * for the whole request cut slow clients long before Node's defaults (60 s and 300 s).
 */
export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 15_000,
  keepAliveMs: 65_000,
  checkEveryMs: 1_000,
};

/** Where the server reports what never reaches the app: one log line and one count for each. */
export interface ServerObserver {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Options for {@link createHttpServer}, both optional: a service passes its observer and keeps
 * the timeouts; a test may leave the observer out or shorten a timeout.
 */
export interface HttpServerOptions {
  /**
   * Hears of each request refused before routing.
   * @default none: such a request is still answered, but neither logged nor counted
   */
  readonly observer?: ServerObserver;
  /** The timeouts that differ from {@link SERVER_TIMEOUTS}. @default SERVER_TIMEOUTS */
  readonly timeouts?: Partial<ServerTimeouts>;
}

// The `route` label of requests the parser refused: they never reached the router.
const UNPARSED_ROUTE = 'unparsed';

/**
 * A `node:http` server for `app` that also answers what never reaches Koa, as JSON with one log
 * line and a count in `http_requests_total`: a request Node's parser refuses (400, 431 for
 * headers over the limit, 408 for a client too slow) and `CONNECT` (405). What Node would
 * otherwise answer itself after parsing (a missing `Host`, an unmet `Expect`) goes to the app,
 * which refuses it like any other bad request (`protocol-rules.ts`). Its connections are
 * tracked so that shutdown can end idle and half-sent ones at once ({@link endConnections}).
 */
export function createHttpServer(app: Koa<never>, options: HttpServerOptions = {}): Server {
  const timeouts = { ...SERVER_TIMEOUTS, ...options.timeouts };
  const handle = app.callback();
  const server = createServer(
    // A missing Host is refused by the app (protocol-rules.ts), with a JSON body, a log line and
    // a count; Node's own answer is a bare 400.
    { connectionsCheckingInterval: timeouts.checkEveryMs, requireHostHeader: false },
    // Koa's handler settles its own errors (see request-pipeline.ts); the promise carries nothing more.
    (req, res) => void handle(req, res),
  );
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  const { observer } = options;

  const refuse = (socket: Socket, status: number, method: string, detail: object) => {
    observer?.metrics.httpRequests.inc({ method, route: UNPARSED_ROUTE, status: String(status) });
    observer?.logger.warn({ method, status, ...detail }, 'request refused before routing');
    answerOnSocket(socket, status, method === 'CONNECT' ? { allow: 'GET, HEAD' } : {});
  };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that went away has nothing left to answer; a peer reset is routine.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    refuse(socket, statusOfClientError(error.code), 'UNKNOWN', { code: error.code });
  });
  // Node hands CONNECT to this event, not to the app; with no listener it drops the socket.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    refuse(socket, 405, 'CONNECT', {});
  });
  passUnmetExpectationsToApp(server);
  trackConnections(server);
  return server;
}

// Node's own choice of status for its parser errors (lib/_http_server.js, Node 20).
function statusOfClientError(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return 413;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/**
 * Writes a complete JSON error answer on a raw socket and closes it, unless an answer has
 * already begun on it (then the only honest thing left is to cut it).
 */
function answerOnSocket(socket: Socket, status: number, headers: Record<string, string>): void {
  const pending = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (pending?.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    error: (STATUS_CODES[status] ?? 'bad request').toLowerCase(),
  } satisfies ErrorBody);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  // A client that never reads must not hold the socket open after our answer.
  socket.setTimeout(1_000, () => socket.destroy());
}

interface Connections {
  readonly all: Set<AnsweringSocket>;
  /** Every answer from now on carries `Connection: close` (see {@link closeAfterEachAnswer}). */
  closing: boolean;
  ending: boolean;
}

// The answer the app is writing on a socket now, while it is under way. A property of the socket
// and one handler shared by every answer, rather than a map entry and a closure per request
// (bench/HISTORY.md, section 9, cut 3).
const ANSWERING = Symbol('answering');
type AnsweringSocket = Socket & { [ANSWERING]?: ServerResponse | undefined };

const tracked = new WeakMap<Server, Connections>();

function trackConnections(server: Server): void {
  const connections: Connections = { all: new Set(), closing: false, ending: false };
  tracked.set(server, connections);
  server.on('connection', (socket: AnsweringSocket) => {
    connections.all.add(socket);
    socket.once('close', () => connections.all.delete(socket));
  });
  // `this` is the answer; its socket is detached by now, but its request still knows it.
  function answered(this: ServerResponse): void {
    const socket = this.req.socket as AnsweringSocket;
    socket[ANSWERING] = undefined;
    // Once shutting down, a connection ends with the answer it was busy with.
    if (connections.ending) socket.end(() => socket.destroy());
  }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    (req.socket as AnsweringSocket)[ANSWERING] = res;
    // Listeners run in order, and Koa answers asynchronously: no header has been written yet.
    if (connections.closing) res.shouldKeepAlive = false;
    // An answer closes once, so `on` does without the wrapper `once` makes.
    res.on('close', answered);
  });
}

/**
 * For the start of shutdown: every answer of `server` from now on, and each under way whose
 * headers are not written yet, carries `Connection: close`, and its connection closes after it.
 * A keep-alive client then opens a new connection for its next request (which the endpoint
 * controller sends elsewhere) instead of reusing one that {@link endConnections} will cut.
 */
export function closeAfterEachAnswer(server: Server): void {
  const connections = tracked.get(server);
  if (connections === undefined) return;
  connections.closing = true;
  for (const socket of connections.all) {
    const res = socket[ANSWERING];
    if (res !== undefined && !res.headersSent) res.shouldKeepAlive = false;
  }
}

/**
 * For shutdown: ends at once every connection of `server` the app is not answering on (idle
 * keep-alive connections, and requests still arriving: half-sent headers or a slow body), and
 * each other one as soon as its answer is sent. A server not made by {@link createHttpServer}
 * only gets its idle connections closed.
 */
export function endConnections(server: Server): void {
  const connections = tracked.get(server);
  if (connections === undefined) {
    server.closeIdleConnections();
    return;
  }
  connections.ending = true;
  for (const socket of connections.all) {
    if (socket[ANSWERING] === undefined) socket.destroy();
  }
}
