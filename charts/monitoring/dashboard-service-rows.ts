import { KUBE_STATE_METRICS } from './platform-metrics.js';
import { CIRCUIT_STATE_VALUE, SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import {
  BREAKER_STATES,
  RATE,
  stat,
  timeseries,
  type DashboardScope,
  type PanelBuilder,
  type PanelQuery,
} from './dashboard-panels.js';
import {
  ERROR_RATIO_THRESHOLD,
  FALLBACK_RATIO_THRESHOLD,
  LATENCY_OBJECTIVE_SECONDS,
  SERVED_ROUTES,
  scoped,
} from './promql.js';

/*
 * The dashboard rows drawn from the services' own metrics (docs/contract.md#metrics): what users get, what the
 * upstreams do, and how the caches and breakers cope.
 */

/** Traffic, errors and latency, per service and route. */
export function goldenSignals({ namespace }: DashboardScope): PanelBuilder[] {
  const metric = scoped(namespace);
  const requests = (by: string, ...matchers: string[]) =>
    `sum by (${by}) (rate(${metric(SERVICE_METRICS.httpRequests, SERVED_ROUTES, ...matchers)}[${RATE}]))`;
  const errorRatio = (by: string) => `${requests(by, 'status=~"5.."')} / ${requests(by)}`;
  const quantile = (q: number, by: string) =>
    `histogram_quantile(${q}, sum by (${by}, le) (rate(${metric(`${SERVICE_METRICS.httpRequestDuration}_bucket`, SERVED_ROUTES)}[${RATE}])))`;
  const percentiles = (by: string, legend: string): PanelQuery[] =>
    [0.5, 0.9, 0.99].map((q) => ({ expr: quantile(q, by), legend: `${legend} p${q * 100}` }));
  return [
    stat({
      title: 'Requests per second',
      description: 'Requests served (probes and scrapes left out), per service.',
      unit: 'reqps',
      query: { expr: requests('job'), legend: '{{job}}' },
      colors: [[null, 'blue']],
    }),
    stat({
      title: '5xx ratio',
      description: `Share of requests answered with a 5xx. Red above ${ERROR_RATIO_THRESHOLD * 100} %; the burn-rate alerts watch the error budget.`,
      unit: 'percentunit',
      query: { expr: errorRatio('job'), legend: '{{job}}' },
      colors: [
        [null, 'green'],
        [0.01, 'orange'],
        [ERROR_RATIO_THRESHOLD, 'red'],
      ],
    }),
    stat({
      title: 'p99 latency',
      description: `99th percentile of request latency; the objective is ${LATENCY_OBJECTIVE_SECONDS} s.`,
      unit: 's',
      query: { expr: quantile(0.99, 'job'), legend: '{{job}}' },
      colors: [
        [null, 'green'],
        [LATENCY_OBJECTIVE_SECONDS / 2, 'orange'],
        [LATENCY_OBJECTIVE_SECONDS, 'red'],
      ],
    }),
    stat({
      title: 'Available pods',
      description: 'Pods ready for at least minReadySeconds, per Deployment.',
      unit: 'none',
      query: {
        expr: `sum by (deployment) (${metric(KUBE_STATE_METRICS.deploymentAvailableReplicas)})`,
        legend: '{{deployment}}',
      },
      colors: [
        [null, 'red'],
        [1, 'orange'],
        [2, 'green'],
      ],
    }),
    timeseries({
      title: 'Requests per second by service and route',
      description: 'Traffic per matched route; `unmatched` is requests to unknown paths (404).',
      unit: 'reqps',
      width: 12,
      queries: [{ expr: requests('job, route'), legend: '{{job}} {{route}}' }],
    }),
    timeseries({
      title: 'Responses by status',
      description: 'A rise in 4xx is clients sending bad input; a 5xx is an unexpected error.',
      unit: 'reqps',
      width: 12,
      queries: [{ expr: requests('job, status'), legend: '{{job}} {{status}}' }],
    }),
    timeseries({
      title: '5xx ratio by service and route',
      description: 'Share of requests answered with a 5xx; the dashed line is the alert threshold.',
      unit: 'percentunit',
      width: 12,
      threshold: ERROR_RATIO_THRESHOLD,
      queries: [{ expr: errorRatio('job, route'), legend: '{{job}} {{route}}' }],
    }),
    timeseries({
      title: 'Latency percentiles by service and route',
      description: 'p50, p90 and p99 of request latency; the dashed line is the p99 objective.',
      unit: 's',
      width: 12,
      threshold: LATENCY_OBJECTIVE_SECONDS,
      queries: percentiles('job, route', '{{job}} {{route}}'),
    }),
  ];
}

/** Outcomes, fallbacks and latency of the outbound calls. */
export function upstreams({ namespace }: DashboardScope): PanelBuilder[] {
  const metric = scoped(namespace);
  const calls = (by: string, outcome: string) =>
    `sum by (${by}) (rate(${metric(SERVICE_METRICS.upstreamRequests, outcome)}[${RATE}]))`;
  const quantile = (q: number) =>
    `histogram_quantile(${q}, sum by (job, upstream, le) (rate(${metric(`${SERVICE_METRICS.upstreamRequestDuration}_bucket`)}[${RATE}])))`;
  return [
    timeseries({
      title: 'Upstream calls by outcome',
      description:
        'Each outbound call ends in one of success, error, timeout or circuit_open ' +
        '(the breaker turned it away without touching the network).',
      unit: 'reqps',
      queries: [
        {
          expr: calls('job, upstream, outcome', 'outcome!="fallback"'),
          legend: '{{job}} → {{upstream}} {{outcome}}',
        },
      ],
    }),
    timeseries({
      title: 'Fallback ratio by upstream',
      description:
        'Degraded answers (default image, disguised bird) per call to that upstream; the ' +
        'dashed line is the AviaryHighFallbackRatio threshold.',
      unit: 'percentunit',
      threshold: FALLBACK_RATIO_THRESHOLD,
      queries: [
        {
          expr: `${calls('job, upstream', 'outcome="fallback"')} / ${calls('job, upstream', 'outcome!="fallback"')}`,
          legend: '{{job}} → {{upstream}}',
        },
      ],
    }),
    timeseries({
      title: 'Upstream latency',
      description: 'Time per outbound call, retries included; the deadline is 2 s.',
      unit: 's',
      queries: [0.5, 0.99].map((q) => ({
        expr: quantile(q),
        legend: `{{job}} → {{upstream}} p${q * 100}`,
      })),
    }),
  ];
}

/** Cache hit ratio, coalesced lookups and breaker states. */
export function caches({ namespace }: DashboardScope): PanelBuilder[] {
  const metric = scoped(namespace);
  const lookups = (by: string, ...matchers: string[]) =>
    `sum by (${by}) (rate(${metric(SERVICE_METRICS.cacheLookups, ...matchers)}[${RATE}]))`;
  return [
    timeseries({
      title: 'Cache hit ratio',
      description:
        'Lookups answered from the cache. A drop after a deploy is the caches warming up; a ' +
        'drop on the unsplash cache spends the 50 requests an hour of the demo tier.',
      unit: 'percentunit',
      max: 1,
      queries: [
        {
          expr: `${lookups('job, cache', 'result="hit"')} / ${lookups('job, cache')}`,
          legend: '{{job}} {{cache}}',
        },
      ],
    }),
    timeseries({
      title: 'Cache lookups: hits, misses, coalesced',
      description:
        'Coalesced lookups joined a lookup of the same key already in flight: bursts of ' +
        'identical requests cost one upstream call.',
      unit: 'ops',
      queries: [{ expr: lookups('job, cache, result'), legend: '{{job}} {{cache}} {{result}}' }],
    }),
    timeseries({
      title: 'Circuit breaker state',
      description:
        'Per pod and upstream: closed, half-open (one trial call every 10 s) or open ' +
        '(calls fail at once).',
      unit: 'none',
      max: CIRCUIT_STATE_VALUE.open,
      steps: true,
      mappings: BREAKER_STATES,
      queries: [
        {
          expr: `max by (pod, upstream) (${metric(SERVICE_METRICS.circuitBreakerState)})`,
          legend: '{{pod}} → {{upstream}}',
        },
      ],
    }),
  ];
}
