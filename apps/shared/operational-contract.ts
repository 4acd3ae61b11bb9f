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
