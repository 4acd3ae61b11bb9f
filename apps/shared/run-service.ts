import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { ConfigError, type CommonConfig, type Env } from './config.js';
import { gracefulShutdown } from './graceful-shutdown.js';
import type { ServiceAppDependencies } from './http/create-service-app.js';
import { createLogger } from './logger.js';
import { logDestination } from './readable-logs.js';
import { buildService, listen, type ServiceDefinition } from './service.js';

/** Where {@link runService} hears the process's signals and its uncaught errors. */
export interface ProcessEvents {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
}

/**
 * What {@link runService} takes from the process it runs in. Each defaults to the process's own;
 * a test hands in its own to run a service in-process and read what it wrote and how it exited.
 */
export interface RunServiceOptions {
  /** Where the config is read from. @default process.env */
  readonly env?: Env;
  /**
   * Where log lines go. @default standard output, written by file descriptor and asynchronously
   * (see `createLogger`)
   */
  readonly stdout?: Writable & { readonly isTTY?: boolean };
  /** Where the one-line start-up errors go. @default process.stderr */
  readonly stderr?: Writable;
  /** Ends the process with a code. @default process.exit */
  readonly exit?: (code: number) => void;
  /** Where SIGTERM, SIGINT and uncaught errors are heard. @default process */
  readonly events?: ProcessEvents;
}

/**
 * Owns the process: loads config (an invalid value exits 1 with one line naming it), builds the
 * app, listens, and shuts down gracefully on SIGTERM or SIGINT; a second signal exits at once.
 * Resolves once the service listens, or once it has exited because it could not start.
 */
export async function runService<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  {
    env = process.env,
    stdout,
    stderr = process.stderr,
    exit = (code) => process.exit(code),
    events = process,
  }: RunServiceOptions = {},
): Promise<void> {
  // One line, like a configuration error: the cause is the machine's or the operator's, not a
  // bug of ours, and a stack trace would bury it.
  const refuseToStart = (reason: string): void => {
    stderr.write(`${definition.name}: ${reason}\n`);
    exit(1);
  };
  let config: C;
  try {
    config = definition.loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return refuseToStart(error.message);
  }
  const logger = createLogger(config.logLevel, {
    service: definition.name,
    destination: await logDestination(
      config.logFormat,
      (stdout ?? process.stdout).isTTY === true,
      stdout,
    ),
  });
  events.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    exit(1);
  });
  events.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    exit(1);
  });

  const { deps, app } = buildService(definition, config, logger);
  let server: Server;
  try {
    server = await listen(app, config.port, config.host, { observer: deps });
  } catch (error) {
    const reason = listenFailure(error, config);
    if (reason === undefined) throw error;
    return refuseToStart(reason);
  }

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      return exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutdown: signal received');
    void gracefulShutdown({ server, logger, readiness: deps.readiness, ...config.shutdown }).then(
      exit,
    );
  };
  events.on('SIGTERM', onSignal);
  events.on('SIGINT', onSignal);

  // Logged last: whoever treats this line as "up" may signal at once, and must find the
  // handlers above in place rather than Node's default of dying on the spot.
  const { address, port } = server.address() as AddressInfo;
  logger.info({ address, port }, 'listening');
  logger.flush();
}

// Why the port could not be taken, in words a person can act on; `undefined` for anything else.
function listenFailure(error: unknown, { port, host }: CommonConfig): string | undefined {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is already in use on ${host}: stop what uses it, or set PORT to another port`;
    case 'EACCES':
      return `no permission to listen on port ${port}: choose a port above 1023, or set PORT`;
    case 'EADDRNOTAVAIL':
      return `HOST=${JSON.stringify(host)} is not an address of this machine`;
    default:
      return undefined;
  }
}
