import { OPERATIONAL_PATHS } from '../../apps/shared/operational-contract.js';

/*
 * PromQL shared by the alert rules and the dashboard. Every selector goes through `scoped`, so
 * each expression reads the environment's namespace only: another team's `http_requests_total`
 * in the same Prometheus never fires an Aviary alert or draws on an Aviary panel.
 */

/**
 * A function that writes vector selectors scoped to `namespace`.
 *
 * @example
 * const metric = scoped('aviary');
 * metric('http_requests_total', 'status=~"5.."');
 * // 'http_requests_total{namespace="aviary", status=~"5.."}'
 */
export function scoped(namespace: string): (name: string, ...matchers: string[]) => string {
  return (name, ...matchers) => `${name}{${[`namespace="${namespace}"`, ...matchers].join(', ')}}`;
}

/** A matcher for any of `values`, e.g. `container=~"bird|bird-image"`. */
export function anyOf(label: string, values: readonly string[]): string {
  return `${label}=~"${values.join('|')}"`;
}

/**
 * Leaves out the operational routes (probes and scrapes). The kubelet probes every pod every few
 * seconds and `/readyz` answers 503 on purpose while a pod drains: counted, every rollout would
 * look like an error burst, and probe traffic would dilute the latency of real requests.
 */
export const SERVED_ROUTES = `route!~"${Object.values(OPERATIONAL_PATHS).join('|')}"`;

/**
 * The latency objective: 99 % of requests within 1 s. It is a bucket boundary of
 * `http_request_duration_seconds` (…, 0.5, 1, 2.5, …), where `histogram_quantile` is exact rather
 * than interpolated: "p99 above 1 s" means "more than 1 % of requests took longer than 1 s".
 */
export const LATENCY_OBJECTIVE_SECONDS = 1;

/** Share of 5xx answers the dashboard shows in red (the alerts use the SLO, see slo.ts). */
export const ERROR_RATIO_THRESHOLD = 0.05;

/** Share of upstream calls that end in a degraded answer above which someone should look. */
export const FALLBACK_RATIO_THRESHOLD = 0.1;
