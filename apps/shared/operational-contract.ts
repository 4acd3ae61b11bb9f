/**
 * What the outside world reads from a running service besides its API, written once: the apps
 * serve and record these, the charts (probes, scrape configs, the dashboard, alerts) read them.
 * This module imports nothing, so the charts can depend on it without pulling in the apps.
 */

/** Paths of the operational endpoints; probes and scrapers use them. */
export const OPERATIONAL_PATHS = {
  liveness: '/healthz',
  readiness: '/readyz',
  metrics: '/metrics',
} as const;

/**
 * Names of the metrics every service exposes at the metrics path (spec §1): `apps/shared/metrics.ts`
 * records them, the alerts, the dashboard and the canary analysis query them. Histograms are
 * queried through their `_bucket` and `_count` series.
 */
export const SERVICE_METRICS = {
  httpRequests: 'http_requests_total',
  httpRequestDuration: 'http_request_duration_seconds',
  upstreamRequests: 'upstream_requests_total',
  upstreamRequestDuration: 'upstream_request_duration_seconds',
  cacheLookups: 'cache_lookups_total',
  circuitBreakerState: 'circuit_breaker_state',
  requestsShed: 'http_requests_shed_total',
  upstreamBudgetRefusals: 'upstream_budget_refusals_total',
  logLinesDropped: 'log_lines_dropped_total',
  /** Node.js process metrics prom-client collects (`collectDefaultMetrics`), read by the dashboard. */
  eventLoopLagP99: 'nodejs_eventloop_lag_p99_seconds',
  heapSizeUsed: 'nodejs_heap_size_used_bytes',
} as const;

/** A circuit breaker's state: `closed` lets calls through, `open` refuses them at once. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * The value of the `circuit_breaker_state` gauge per state: dashboards map these back to words,
 * and alerts read how long it stays at `open`.
 */
export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  'half-open': 0.5,
  open: 1,
};
