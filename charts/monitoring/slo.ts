import { SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import { SERVED_ROUTES, scoped } from './promql.js';

/**
 * The service level objective of both services: over 30 days, 99.9 % of the `GET` requests they
 * serve (probes and scrapes left out) are answered without a 5xx within 1 s. 1 s is a bucket
 * boundary of `http_request_duration_seconds`, so "within 1 s" is counted exactly (`le="1"`).
 */
export const SLO = {
  objective: 0.999,
  latencySeconds: 1,
  periodDays: 30,
} as const;

/** The share of requests the objective allows to fail: the error budget, 0.1 %. */
export const ERROR_BUDGET = 1 - SLO.objective;

/**
 * The multi-window, multi-burn-rate alerts of the Google SRE workbook ("Alerting on SLOs",
 * table 5-8): an alert fires when both its long window (is the budget really burning?) and its
 * short window (is it still burning now?) spend the budget at `burnRate` times the sustainable
 * pace. 14.4 over 1 h spends 2 % of a 30-day budget; 6 over 6 h, 5 %; 3 over a day, 10 %; 1 over
 * 3 days, 10 %.
 */
export const BURN_RATE_WINDOWS = {
  fast: [
    { long: '1h', short: '5m', burnRate: 14.4 },
    { long: '6h', short: '30m', burnRate: 6 },
  ],
  slow: [
    { long: '1d', short: '2h', burnRate: 3 },
    { long: '3d', short: '6h', burnRate: 1 },
  ],
} as const;

/** The name of the recording rule holding the share of bad requests over `window`. */
export function errorRatioRecord(window: string): string {
  return `aviary:slo_errors:ratio_rate${window}`;
}

/** Every window a burn-rate alert reads, each recorded once. */
export function sloWindows(): string[] {
  const all = [...BURN_RATE_WINDOWS.fast, ...BURN_RATE_WINDOWS.slow];
  return [...new Set(all.flatMap(({ long, short }) => [short, long]))];
}

/** A recording rule: `record` is the result of `expr`. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/**
 * The share of bad requests (a 5xx, or slower than the objective) per service over each window.
 * With no traffic it is 0/0, no value, so no burn-rate alert can fire on an idle service.
 */
export function sloRecordingRules(namespace: string): RecordingRule[] {
  const metric = scoped(namespace);
  const served = [SERVED_ROUTES, 'method="GET"'];
  const sum = (selector: string, window: string) =>
    `sum by (namespace, job) (rate(${selector}[${window}]))`;
  return sloWindows().map((window) => ({
    record: errorRatioRecord(window),
    expr:
      `1 - (\n  ${sum(metric(`${SERVICE_METRICS.httpRequestDuration}_bucket`, ...served, 'status!~"5.."', `le="${SLO.latencySeconds}"`), window)}\n` +
      `/\n  ${sum(metric(`${SERVICE_METRICS.httpRequestDuration}_count`, ...served), window)}\n)`,
  }));
}

/** The expression of a burn-rate alert over `windows`, reading the recording rules. */
export function burnRateExpr(
  namespace: string,
  windows: readonly { long: string; short: string; burnRate: number }[],
): string {
  const ratio = (window: string) => `${errorRatioRecord(window)}{namespace="${namespace}"}`;
  return windows
    .map(({ long, short, burnRate }) => {
      const threshold = Number((burnRate * ERROR_BUDGET).toFixed(6));
      return `(${ratio(long)} > ${threshold} and ${ratio(short)} > ${threshold})`;
    })
    .join('\nor\n');
}
