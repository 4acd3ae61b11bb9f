import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SERVICE_METRICS } from './operational-contract.js';

/** How one logical upstream call ended; values of the `outcome` label. */
export type UpstreamOutcome = 'success' | 'error' | 'timeout' | 'circuit_open' | 'fallback';

/** Results of a cache lookup; values of the `result` label. */
export type CacheResult = 'hit' | 'miss' | 'coalesced';

/**
 * The contract metrics (docs/contract.md#metrics) and the registry that exposes them. The values of the `upstream`
 * and `cache` labels are each service's own, passed in by it (`apps/<service>/upstreams/names.ts`).
 */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly upstreamRequests: Counter<'upstream' | 'outcome'>;
  readonly upstreamRequestDuration: Histogram<'upstream'>;
  readonly cacheLookups: Counter<'cache' | 'result'>;
  /** 0 closed, 0.5 half-open, 1 open: dashboards and alerts read how long a breaker stays open. */
  readonly circuitBreakerState: Gauge<'upstream'>;
  /** Requests answered 503 at once because the process could not answer them in time. */
  readonly requestsShed: Counter<'reason'>;
  /** Upstream calls not made because their budget (a token bucket) was spent. */
  readonly upstreamBudgetRefusals: Counter<'upstream'>;
  /** Log lines dropped because the output did not keep up (see `BoundedLogOutput`). */
  readonly logLinesDropped: Counter;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Reads how many log lines the logger has dropped, at each scrape. @default none: 0 */
  readonly droppedLogLines?: () => number;
}

// Requests are expected in milliseconds; upstream calls can take up to their 2 s deadline.
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Creates a registry of its own with the contract metrics and Node.js process metrics.
 * A registry per app (not prom-client's global one) keeps apps built in one process apart.
 */
export function createMetrics({ droppedLogLines = () => 0 }: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: SERVICE_METRICS.httpRequests,
      help: 'HTTP requests served, by method, matched route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: SERVICE_METRICS.httpRequestDuration,
      help: 'Time to serve an HTTP request, by method, matched route and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    upstreamRequests: new Counter({
      name: SERVICE_METRICS.upstreamRequests,
      help: 'Outbound calls by upstream and outcome; fallback counts answers degraded by a failure.',
      labelNames: ['upstream', 'outcome'],
      registers,
    }),
    upstreamRequestDuration: new Histogram({
      name: SERVICE_METRICS.upstreamRequestDuration,
      help: 'Time an outbound call took, retries included.',
      labelNames: ['upstream'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    cacheLookups: new Counter({
      name: SERVICE_METRICS.cacheLookups,
      help: 'Cache lookups by cache and result; coalesced joined a lookup already in flight.',
      labelNames: ['cache', 'result'],
      registers,
    }),
    circuitBreakerState: new Gauge({
      name: SERVICE_METRICS.circuitBreakerState,
      help: 'Circuit breaker state per upstream: 0 closed, 0.5 half-open, 1 open.',
      labelNames: ['upstream'],
      registers,
    }),
    requestsShed: new Counter({
      name: SERVICE_METRICS.requestsShed,
      help: 'Requests answered 503 at once by load shedding, by reason (in_flight, event_loop_lag).',
      labelNames: ['reason'],
      registers,
    }),
    upstreamBudgetRefusals: new Counter({
      name: SERVICE_METRICS.upstreamBudgetRefusals,
      help: 'Upstream calls not made because their call budget was spent; answered with a fallback.',
      labelNames: ['upstream'],
      registers,
    }),
    logLinesDropped: new Counter({
      name: SERVICE_METRICS.logLinesDropped,
      help: 'Log lines dropped because the output did not keep up; each start and end is logged.',
      registers,
      // Counted by the logger's output, which exists before any registry: read at each scrape.
      collect() {
        this.reset();
        this.inc(droppedLogLines());
      },
    }),
  };
}
