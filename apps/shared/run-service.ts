import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type CommonConfig, type Env } from './config.js';
import { gracefulShutdown } from './graceful-shutdown.js';
import type { ServiceAppDependencies } from './http/create-service-app.js';
import { createLogger } from './logger.js';
import { logDestination } from './readable-logs.js';
import { buildService, listen, type ServiceDefinition } from './service.js';

/**
 * Owns the process: loads config (an invalid value exits 1 with one line naming it), builds the
 * app, listens, and shuts down gracefully on SIGTERM or SIGINT; a second signal exits at once.
 */
export async function runService<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  env: Env = process.env,
): Promise<void> {
  let config: C;
  try {
    config = definition.loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${definition.name}: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel, {
    service: definition.name,
    destination: await logDestination(config.logFormat),
  });
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });

  const { deps, app } = buildService(definition, config, logger);
  let server: Server;
  try {
    server = await listen(app, config.port, config.host, { observer: deps });
  } catch (error) {
    const reason = listenFailure(error, config);
    if (reason === undefined) throw error;
    // One line, like a configuration error: the cause is the machine's, not a bug of ours.
    process.stderr.write(`${definition.name}: ${reason}\n`);
    process.exit(1);
  }

  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutdown: signal received');
    void gracefulShutdown({ server, logger, readiness: deps.readiness, ...config.shutdown }).then(
      (code) => process.exit(code),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Logged last: whoever treats this line as "up" may signal at once, and must find the
  // handlers above in place rather than Node's default of dying on the spot.
  const { address, port } = server.address() as AddressInfo;
  logger.info({ address, port }, 'listening');
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
