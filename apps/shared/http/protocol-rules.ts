import type { IncomingMessage, Server } from 'node:http';
import type { Context } from 'koa';

// Requests whose `Expect` Node found it cannot meet (anything but 100-continue, on HTTP/1.1).
const unmetExpectations = new WeakSet<IncomingMessage>();

/**
 * Hands the app the requests Node would answer itself with a bare `417` (an `Expect` other than
 * `100-continue`), so that they get the app's JSON error, log line and count like any other.
 * Node keeps the decision (lib/_http_server.js, Node 20: `checkExpectation` is emitted instead
 * of its own answer when it has a listener); {@link refuseProtocolViolations} answers it.
 */
export function passUnmetExpectationsToApp(server: Server): void {
  server.on('checkExpectation', (req: IncomingMessage, res) => {
    unmetExpectations.add(req);
    server.emit('request', req, res);
  });
}

/** How many `Host` header lines a request came with: Node keeps only the first in `headers`. */
function hostLines(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    // The length first: most names are not four letters long, and lower-casing one copies it.
    if (name.length === 4 && name.toLowerCase() === 'host') count += 1;
  }
  return count;
}

/**
 * Refuses what HTTP says a server must refuse, by throwing what the app answers as a JSON error: an HTTP/1.1 request
 * without `Host`, or any with more than one, gets `400` and the connection closed (RFC 9112
 * §3.2; Node's own answer to a missing `Host` is turned off, see `http-server.ts`), and an
 * expectation Node cannot meet gets `417` (see {@link passUnmetExpectationsToApp}).
 */
export function refuseProtocolViolations(ctx: Context): void {
  const { req } = ctx;
  const hosts = hostLines(req.rawHeaders);
  if (hosts > 1 || (hosts === 0 && req.httpVersion === '1.1')) {
    // Which host the request means is unknown: nothing more is read on this connection.
    ctx.set('Connection', 'close');
    ctx.throw(400, hosts > 1 ? 'one Host header at most' : 'the Host header is required');
  }
  if (unmetExpectations.has(req)) ctx.throw(417, 'the only expectation met is 100-continue');
}
