import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.js';
import type { Readiness } from './http/health.js';
import { closeAfterEachAnswer, endConnections } from './http/http-server.js';

/** Options for {@link gracefulShutdown}. */
export interface GracefulShutdownOptions {
  readonly server: Server;
  readonly readiness: Readiness;
  readonly logger: Logger;
  /** How long to keep serving after turning unready, while endpoints are removed. */
  readonly delayMs: number;
  /** How long in-flight requests get to finish once the server stops accepting. */
  readonly timeoutMs: number;
}

/**
 * Shuts a server down the way Kubernetes expects: `/readyz` turns 503 at once, the server keeps
 * serving for `delayMs` (so the endpoint controller and ingress stop sending traffic before we
 * stop accepting it), each answer with `Connection: close` so that no client reuses a
 * connection about to be cut, then stops accepting, ends idle and half-sent connections at once and lets
 * in-flight requests finish, each connection closing with its answer. Resolves with the exit
 * code: 0 when everything finished within `timeoutMs`, 1 when remaining connections were cut.
 */
export async function gracefulShutdown(options: GracefulShutdownOptions): Promise<number> {
  const { server, readiness, logger, delayMs, timeoutMs } = options;
  readiness.drain();
  closeAfterEachAnswer(server);
  logger.info({ delayMs, timeoutMs }, 'shutdown: draining');
  // Written now, not with the next batch of request lines: a pod killed during its drain still
  // says that it was asked to stop.
  logger.flush();
  await sleep(delayMs);

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  endConnections(server);
  const deadline = sleep(timeoutMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([closed, deadline])) === 'timeout') {
    logger.warn({ timeoutMs }, 'shutdown: timed out, closing remaining connections');
    server.closeAllConnections();
    return 1;
  }
  logger.info('shutdown: complete');
  return 0;
}
