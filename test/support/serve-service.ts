import type { CommonConfig } from '../../apps/shared/config.js';
import { commonConfig, commonVariables, parseEnv } from '../../apps/shared/config.js';
import {
  createServiceApp,
  createServiceAppDependencies,
  type ServiceAppDependencies,
  type ServiceAppOptions,
  type ServiceRouter,
} from '../../apps/shared/http/create-service-app.js';
import type { LoadShedder } from '../../apps/shared/http/load-shedding.js';
import {
  startService,
  type ServiceDefinition,
  type StartedService,
  type StartServiceOptions,
} from '../../apps/shared/service.js';
import { closeWhenDone } from './teardown.js';

/**
 * Builds `definition`'s service (bird, birdImage, or a {@link bareService}) as everything else
 * does (`startService`: config from `options.env` only, silent unless given a logger) and serves
 * it on 127.0.0.1, a free port. It is closed when the test is done (see `closeWhenDone`).
 *
 * @example
 * const birdImage = await serveService(birdImageService, { env: { UNSPLASH_ACCESS_KEY: 'k' } });
 * await fetch(`${birdImage.url}/?birdName=kea`);
 */
export async function serveService<C extends CommonConfig, D extends ServiceAppDependencies>(
  definition: ServiceDefinition<C, D>,
  options: Omit<StartServiceOptions, 'host' | 'port'> = {},
): Promise<StartedService<C, D>> {
  const served = await startService(definition, options);
  closeWhenDone(() => served.close());
  return served;
}

/** What {@link bareService} builds its dependencies from. */
export interface BareServiceOptions extends ServiceAppOptions {
  /** In place of the one `maxInFlight` makes, e.g. one with a clock of the test's. */
  readonly loadShedder?: LoadShedder;
}

/**
 * A service of nothing but the skeleton both services share (`createServiceApp`) and the routes
 * `addRoutes` adds: what the shared HTTP layer is tested on. Its config is the shared variables'.
 */
export function bareService(
  addRoutes: (router: ServiceRouter) => void,
  { loadShedder, ...options }: BareServiceOptions = {},
): ServiceDefinition<CommonConfig, ServiceAppDependencies> {
  return {
    name: 'bare',
    loadConfig: (env) => commonConfig(parseEnv(commonVariables(0), env)),
    createDependencies: (_config, logger) => {
      const deps = createServiceAppDependencies(logger, options);
      return loadShedder === undefined ? deps : { ...deps, loadShedder };
    },
    createApp: (_config, deps) => createServiceApp(deps, addRoutes),
  };
}

/** Adds `GET /`, answering `{ "bird": "kea" }`: a route for a bare service's requests to reach. */
export function keaAtRoot(router: ServiceRouter): void {
  router.get('/', (ctx) => {
    ctx.body = { bird: 'kea' };
  });
}

/** A {@link bareService} as {@link serveService} serves it. */
export type ServedBareService = StartedService<CommonConfig, ServiceAppDependencies>;
