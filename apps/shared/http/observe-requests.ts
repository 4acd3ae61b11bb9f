import type { ParameterizedContext } from 'koa';
import type { Counter, Histogram } from 'prom-client';
import { requestLineWriter, type Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RequestState } from './request-context.js';

// Unmatched paths share one label value: a label per probed URL would explode the series count.
const UNMATCHED_ROUTE = 'unmatched';

/** The two `http_request*` series of one method, route and status. */
interface RequestSeries {
  readonly count: Counter.Internal;
  readonly duration: Histogram.Internal<'method' | 'route' | 'status'>;
}

/** Writes the log line and metrics of a request that started at `startedNs` (`hrtime`). */
export type RequestObserver = (ctx: ParameterizedContext<RequestState>, startedNs: bigint) => void;

/**
 * Writes one JSON log line and the `http_request*` metrics per request; the request pipeline
 * calls it after everything inside (the error handler included) has settled the status.
 *
 * Each method, route and status's series are looked up once and kept: prom-client validates and
 * hashes a labels object on every `inc` and `observe`, which cost more than the counting itself
 * (bench/HISTORY.md, section 9). The map holds one entry per series the registry holds.
 */
export function requestObserver(logger: Logger, metrics: Metrics): RequestObserver {
  const series = new Map<string, RequestSeries>();
  const seriesOf = (method: string, route: string, status: string): RequestSeries => {
    const key = `${method} ${route} ${status}`;
    let found = series.get(key);
    if (found === undefined) {
      const labels = { method, route, status };
      found = {
        count: metrics.httpRequests.labels(labels),
        duration: metrics.httpRequestDuration.labels(labels),
      };
      series.set(key, found);
    }
    return found;
  };
  const writeLine = requestLineWriter(logger);
  return (ctx, startedNs) => {
    const seconds = Number(process.hrtime.bigint() - startedNs) / 1e9;
    const matchedRoute = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    const { method, status } = ctx;
    const route = typeof matchedRoute === 'string' ? matchedRoute : UNMATCHED_ROUTE;
    const { count, duration } = seriesOf(method, route, String(status));
    count.inc();
    duration.observe(seconds);
    writeLine({
      method,
      route,
      status,
      path: ctx.path,
      durationMs: Math.round(seconds * 1e6) / 1e3,
      requestId: ctx.state.requestId,
    });
  };
}
