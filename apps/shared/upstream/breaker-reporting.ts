import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { CIRCUIT_STATE_VALUE } from '../operational-contract.js';
import type { CircuitState } from './circuit-breaker.js';

/** Where {@link reportBreakerState} reports. */
export interface BreakerReporting {
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * What the breaker of `upstream` tells the outside world: its state as the
 * `circuit_breaker_state` gauge (set to closed at once, so the series exists before any change)
 * and a warning on every change. Returns the breaker's `onStateChange`.
 */
export function reportBreakerState(
  upstream: string,
  { metrics, logger }: BreakerReporting,
): (state: CircuitState) => void {
  const gauge = metrics.circuitBreakerState.labels(upstream);
  gauge.set(CIRCUIT_STATE_VALUE.closed);
  return (state) => {
    gauge.set(CIRCUIT_STATE_VALUE[state]);
    logger.warn({ upstream, state }, 'circuit breaker');
  };
}
