import Router from '@koa/router';
import Koa from 'koa';
import { DEFAULT_MAX_IN_FLIGHT, NO_FAULTS, type FaultSettings } from '../config.js';
import { Faults, type FaultsDependencies } from '../faults.js';
import { droppedLogLines } from '../log-output.js';
import type { Logger } from '../logger.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { logAppErrors } from './errors.js';
import { addOperationalRoutes, Readiness } from './health.js';
import { LoadShedder } from './load-shedding.js';
import type { RequestState } from './request-context.js';
import { requestPipeline } from './request-pipeline.js';

/** What every service app needs, whatever its routes. */
export interface ServiceAppDependencies {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly loadShedder: LoadShedder;
  readonly faults: Faults;
}

/** The router a service adds its own routes to. */
export type ServiceRouter = Router<RequestState>;

/**
 * Builds a Koa app with what both services share: request ids, the headers every answer
 * carries, one log line and metrics per request, JSON errors, the operational routes and
 * 404/405 answers. `addRoutes` adds the service's own routes. The app never listens; see
 * `run-service.ts`.
 */
export function createServiceApp(
  deps: ServiceAppDependencies,
  addRoutes: (router: ServiceRouter) => void,
): Koa<RequestState> {
  const app = new Koa<RequestState>();
  const router: ServiceRouter = new Router<RequestState>();
  addOperationalRoutes(router, deps.readiness, deps.metrics);
  addRoutes(router);
  logAppErrors(app, deps.logger);
  app.use(requestPipeline(deps));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

/** Options of {@link createServiceAppDependencies}. */
export interface ServiceAppOptions extends Pick<FaultsDependencies, 'random' | 'sleep'> {
  /** @default DEFAULT_MAX_IN_FLIGHT */
  readonly maxInFlight?: number;
  /** @default NO_FAULTS */
  readonly faults?: FaultSettings;
}

/**
 * The shared dependencies, fresh: a metrics registry of the app's own, a ready state, a load
 * shedder admitting `maxInFlight` requests at once, and the faults of a drill (none unless set).
 */
export function createServiceAppDependencies(
  logger: Logger,
  {
    maxInFlight = DEFAULT_MAX_IN_FLIGHT,
    faults = NO_FAULTS,
    random,
    sleep,
  }: ServiceAppOptions = {},
): ServiceAppDependencies {
  const metrics = createMetrics({ droppedLogLines: () => droppedLogLines(logger) });
  return {
    logger,
    metrics,
    readiness: new Readiness(),
    loadShedder: new LoadShedder({ maxInFlight }),
    faults: new Faults(faults, { registry: metrics.registry, logger, random, sleep }),
  };
}
