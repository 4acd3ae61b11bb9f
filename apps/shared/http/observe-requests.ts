import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RequestState } from './request-context.js';

// Unmatched paths share one label value: a label per probed URL would explode the series count.
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Writes one JSON log line and the `http_request*` metrics per request, after everything
 * inside it (the error handler included) has settled the status.
 */
export function observeRequests(logger: Logger, metrics: Metrics): Middleware<RequestState> {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const matchedRoute = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const { method, status } = ctx;
      const route = typeof matchedRoute === 'string' ? matchedRoute : UNMATCHED_ROUTE;
      const labels = { method, route, status: String(status) };
      metrics.httpRequests.inc(labels);
      metrics.httpRequestDuration.observe(labels, seconds);
      logger.info(
        {
          method,
          route,
          status,
          path: ctx.path,
          durationMs: Math.round(seconds * 1e6) / 1e3,
          requestId: ctx.state.requestId,
        },
        'request',
      );
    }
  };
}
