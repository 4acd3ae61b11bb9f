import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
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
 * `upstream_requests_total{outcome="fallback"}` and logs why: the outcome and the real cause in
 * words (`UpstreamError.reason`), never the error object, which carries request options,
 * headers included.
 *
 * A fallback because a breaker is open or a call budget is spent is logged at debug, not warn:
 * every request falls back then, and the metrics count each one.
 */
export async function withFallback<T>(
  upstream: string,
  attempt: () => Promise<T>,
  fallback: T,
  context: FallbackContext,
): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    context.metrics.upstreamRequests.inc({ upstream, outcome: 'fallback' });
    const outcome = error instanceof UpstreamError ? error.outcome : 'error';
    const expected = outcome === 'circuit_open' || error instanceof BudgetSpentError;
    context.logger[expected ? 'debug' : 'warn'](
      {
        upstream,
        outcome,
        reason: reasonOf(error),
        requestId: context.requestId,
      },
      'upstream failed: answering with a fallback',
    );
    return fallback;
  }
}

// An UpstreamError says what went wrong itself; anything else (a spent budget) by its message.
function reasonOf(error: unknown): string {
  if (error instanceof UpstreamError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}
