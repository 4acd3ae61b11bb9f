import { SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import { KUBE_STATE_METRICS } from '../monitoring/platform-metrics.js';
import {
  ERROR_RATIO_THRESHOLD,
  FALLBACK_RATIO_THRESHOLD,
  LATENCY_OBJECTIVE_SECONDS,
  SERVED_ROUTES,
  scoped,
} from '../monitoring/promql.js';
import { POD_TEMPLATE_HASH_LABEL, targetLabelName } from '../monitoring/target-labels.js';

/** Name of the AnalysisTemplate (and metric) that fails a canary whose containers restarted. */
export const RESTARTS_OBJECTIVE = 'aviary-canary-restarts';

/** Arguments every analysis template takes; the Rollout fills them in. */
export const ANALYSIS_ARGS = {
  /** The container name of the service (`bird`), i.e. the `container` target label. */
  service: 'service',
  /** The canary's pod-template hash (`podTemplateHashValue: Latest`). */
  canaryHash: 'canary-hash',
} as const;

/** How long each measurement looks back: eight scrapes at the ServiceMonitor's 15 s. */
export const ANALYSIS_WINDOW = '2m';

/** One objective a canary must meet, as an AnalysisTemplate metric holds it. */
export interface AnalysisObjective {
  /** Name of the AnalysisTemplate and of its one metric. */
  readonly name: string;
  /** What is measured, for people reading the template. */
  readonly summary: string;
  /** PromQL with `{{args.service}}` and `{{args.canary-hash}}`, as Argo Rollouts substitutes them. */
  readonly query: string;
  /** expr-lang over `result`, the query's values: the measurement passes. */
  readonly successCondition: string;
  /** expr-lang over `result`: the measurement fails. Neither holding is inconclusive. */
  readonly failureCondition: string;
}

/**
 * The conditions of an objective "the value is at most `limit`". The query returns one value, or
 * none when Prometheus sees no series of the canary at all (a wrong label, pods not scraped yet):
 * that is neither a pass nor a failure but inconclusive (Argo Rollouts v1.9.1, analysis/analysis.go, counts it against
 * `inconclusiveLimit`, then pauses the rollout for a human). `len(result) == 1` guards the index;
 * a NaN would fail both comparisons, but {@link analysisObjectives} never returns one.
 */
function atMost(limit: number): Pick<AnalysisObjective, 'successCondition' | 'failureCondition'> {
  return {
    successCondition: `len(result) == 1 && result[0] <= ${limit}`,
    failureCondition: `len(result) == 1 && result[0] > ${limit}`,
  };
}

/**
 * The objectives (docs/contract.md#canary-analysis) for the canary's pods of one service, in `namespace`: the 5xx ratio,
 * the p99 latency and the share of answers that fell back (default image, disguised bird). The
 * thresholds are those `charts/monitoring/promql.ts` sets for the whole service (the latency
 * objective, the dashboard's red line for 5xx, the fallback alert's ratio): a canary is held to
 * the standard that would worry anyone watching the service.
 */
export function analysisObjectives(namespace: string): AnalysisObjective[] {
  const canary = [
    `container="{{args.${ANALYSIS_ARGS.service}}}"`,
    `${targetLabelName(POD_TEMPLATE_HASH_LABEL)}="{{args.${ANALYSIS_ARGS.canaryHash}}}"`,
  ];
  const metric = scoped(namespace);
  const rate = (name: string, ...matchers: string[]) =>
    `rate(${metric(name, ...canary, ...matchers)}[${ANALYSIS_WINDOW}])`;
  const served = `sum(${rate(SERVICE_METRICS.httpRequests, SERVED_ROUTES)})`;
  // A canary that never failed has no 5xx (or fallback) series at all: `or vector(0)` makes that
  // a 0. With no request in the window the ratio is 0/0, NaN (or nothing at all).
  const share = (numerator: string) => `(sum(${numerator}) or vector(0))\n/\n${served}`;
  // A canary nobody called in the window (quiet hours, 10 % of little traffic) has 0/0, NaN: `>= 0`
  // drops it and the measurement is empty, inconclusive. No evidence, no promotion: the analysis's
  // contract check (contract-check-metric.ts) calls the canary every minute, so a canary at
  // quiet hours is judged on those requests, and one the check cannot reach fails.
  const judged = (query: string) => `(${query}) >= 0`;
  return [
    {
      name: 'aviary-error-ratio',
      summary: "Share of the canary's answers that are 5xx (probes and scrapes left out).",
      query: judged(share(rate(SERVICE_METRICS.httpRequests, SERVED_ROUTES, 'status=~"5.."'))),
      ...atMost(ERROR_RATIO_THRESHOLD),
    },
    {
      name: 'aviary-latency-p99',
      summary: "99th percentile of the canary's request latency, in seconds.",
      query: judged(
        `histogram_quantile(0.99, sum by (le) (${rate(`${SERVICE_METRICS.httpRequestDuration}_bucket`, SERVED_ROUTES)}))`,
      ),
      ...atMost(LATENCY_OBJECTIVE_SECONDS),
    },
    {
      name: 'aviary-fallback-ratio',
      summary:
        "Share of the canary's answers degraded by a failed upstream (default image, disguised bird).",
      query: judged(share(rate(SERVICE_METRICS.upstreamRequests, 'outcome="fallback"'))),
      ...atMost(FALLBACK_RATIO_THRESHOLD),
    },
  ];
}

/**
 * A canary whose containers restart (a crash on a request, an out-of-memory kill, a failed
 * liveness probe) fails, even when its own metrics look clean: a process that dies with its
 * requests counts none of them (`http_requests_total` is counted when a handler settles), while
 * its clients get 502s. kube-state-metrics reports restarts per pod; it exports no pod label but
 * through `kube_pod_labels` and its allowlist, so the canary's pods are matched by name: Argo
 * Rollouts v1.9.1 names a Rollout's ReplicaSet `<rollout>-<pod-template-hash>` (rollout/sync.go,
 * newReplicaSetFromTemplate), and the ReplicaSet controller its pods `<replicaset>-<random>`. With `workloadRef` the
 * Rollout has the service's name, the `service` argument. No series (kube-state-metrics not
 * scraped, no canary pod yet) is inconclusive.
 */
export function restartsObjective(namespace: string): AnalysisObjective {
  const pods = `pod=~"{{args.${ANALYSIS_ARGS.service}}}-{{args.${ANALYSIS_ARGS.canaryHash}}}-[a-z0-9]+"`;
  const restarts = scoped(namespace)(
    KUBE_STATE_METRICS.containerRestarts,
    `container="{{args.${ANALYSIS_ARGS.service}}}"`,
    pods,
  );
  return {
    name: RESTARTS_OBJECTIVE,
    summary: "Restarts of the canary's containers since its pods started: any is a failure.",
    query: `sum(${restarts})`,
    ...atMost(0),
  };
}
