/**
 * bird's upstreams, by the name its metrics and logs give them: the `upstream` label of
 * `upstream_requests_total` and `circuit_breaker_state`, the `cache` label of
 * `cache_lookups_total`. Dashboards, alerts and the runbook read these exact strings.
 */
export const UPSTREAMS = { facts: 'facts', image: 'image' } as const;
