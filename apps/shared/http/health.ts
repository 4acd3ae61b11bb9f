import type Router from '@koa/router';
import type { Metrics } from '../metrics.js';
import { OPERATIONAL_PATHS } from '../operational-contract.js';

/** Whether the service takes traffic; flips once, when shutdown begins. */
export class Readiness {
  #draining = false;

  /** True until {@link Readiness.drain} is called. */
  get ready(): boolean {
    return !this.#draining;
  }

  /** Marks the service as going away: `/readyz` answers 503 from now on. */
  drain(): void {
    this.#draining = true;
  }
}

/**
 * Adds `/healthz` (the process answers; it never calls a dependency, so a sick upstream cannot
 * get pods restarted), `/readyz` (503 while draining) and `/metrics`.
 */
export function addOperationalRoutes(router: Router, readiness: Readiness, metrics: Metrics): void {
  router.get(OPERATIONAL_PATHS.liveness, (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get(OPERATIONAL_PATHS.readiness, (ctx) => {
    ctx.status = readiness.ready ? 200 : 503;
    ctx.body = { status: readiness.ready ? 'ready' : 'draining' };
  });
  router.get(OPERATIONAL_PATHS.metrics, async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
}
