import type { Logger } from '../logger.js';
import type { Metrics, UpstreamName } from '../metrics.js';
import { BudgetSpentError } from './token-bucket.js';
import { UpstreamError } from './upstream-client.js';

/** Where {@link withFallback} records and logs a degraded answer. */
export interface FallbackContext {
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly requestId?: string;
}

/**
 * Runs `attempt`; if it fails, answers `fallback` instead, counts
 * `upstream_requests_total{outcome="fallback"}` and logs why. Only the failure's kind and
 * message are logged: upstream error objects carry request options, headers included.
 *
 * A fallback because a breaker is open or a call budget is spent is logged at debug, not warn:
 * every request falls back then, and the metrics count each one.
 */
export async function withFallback<T>(
  upstream: UpstreamName,
  attempt: () => Promise<T>,
  fallback: T,
  context: FallbackContext,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    context.metrics.upstreamRequests.inc({ upstream, outcome: 'fallback' });
    const cause = error instanceof UpstreamError ? error.cause : error;
    const outcome = error instanceof UpstreamError ? error.outcome : 'error';
    const expected = outcome === 'circuit_open' || error instanceof BudgetSpentError;
    context.logger[expected ? 'debug' : 'warn'](
      {
        upstream,
        outcome,
        reason: cause instanceof Error ? cause.message : String(cause),
        requestId: context.requestId,
      },
      'upstream failed: answering with a fallback',
    );
    return fallback;
  }
}
