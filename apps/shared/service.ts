import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { CommonConfig, Env } from './config.js';
import type { ServiceAppDependencies } from './http/create-service-app.js';
import { createHttpServer, type HttpServerOptions } from './http/http-server.js';
import { createLogger, type Logger } from './logger.js';

/**
 * How a service is put together: each service exports one (`apps/<service>/service.ts`), and
 * everything that runs a service — its `server.ts`, the tests, the bench — builds it from that
 * through {@link buildService} or {@link startService}.
 */
export interface ServiceDefinition<C extends CommonConfig, D extends ServiceAppDependencies> {
  /** Shows in every log line and in the one-line start-up errors. */
  readonly name: string;
  readonly loadConfig: (env: Env) => C;
  readonly createDependencies: (config: C, logger: Logger) => D;
  readonly createApp: (config: C, deps: D) => Koa<never>;
}

/** A service built from its definition: its config, its dependencies and the app on them. */
export interface BuiltService<C, D> {
  readonly config: C;
  readonly deps: D;
  readonly app: Koa<never>;
}

/** Builds the service's dependencies and app from an already loaded `config`; never listens. */
export function buildService<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  config: C,
  logger: Logger,
): BuiltService<C, D> {
  const deps = definition.createDependencies(config, logger);
  return { config, deps, app: definition.createApp(config, deps) };
}

/** Binds `app` on `host:port` (see {@link createHttpServer}) and resolves once it listens. */
export async function listen(
  app: Koa<never>,
  port: number,
  host: string,
  options: HttpServerOptions = {},
): Promise<Server> {
  const server = createHttpServer(app, options);
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}

/** An app listening on a real socket, as {@link serveApp} returns it. */
export interface ServedApp {
  /** Base URL, without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly server: Server;
  /** Stops listening and drops every open connection at once (no graceful drain). */
  close(): Promise<void>;
}

/** Where {@link serveApp} listens, and how its server behaves. */
export interface ServeAppOptions extends HttpServerOptions {
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
}

/**
 * Serves `app` on a real listener (127.0.0.1, a free port, unless told otherwise) with the same
 * HTTP server `server.ts` uses. For tests and the bench: nothing of the process is touched.
 */
export async function serveApp(
  app: Koa<never>,
  { host = '127.0.0.1', port = 0, ...options }: ServeAppOptions = {},
): Promise<ServedApp> {
  const server = await listen(app, port, host, options);
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A service listening on a real socket, as {@link startService} returns it. */
export interface StartedService<C, D> extends BuiltService<C, D>, ServedApp {}

/** Where and how {@link startService} runs a service. */
export interface StartServiceOptions extends Omit<ServeAppOptions, 'observer'> {
  /** The environment the config is read from; nothing else is. @default {} */
  readonly env?: Env;
  /** @default a silent logger */
  readonly logger?: Logger;
}

/**
 * Loads the config from `options.env`, builds the service and serves it on a real listener
 * (127.0.0.1, a free port, unless told otherwise) with the same HTTP server `server.ts` uses.
 * For tests and the bench: the process's signals and exit stay untouched.
 */
export async function startService<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  { env = {}, logger = createLogger('silent'), ...serving }: StartServiceOptions = {},
): Promise<StartedService<C, D>> {
  const built = buildService(definition, definition.loadConfig(env), logger);
  return { ...built, ...(await serveApp(built.app, { ...serving, observer: built.deps })) };
}
