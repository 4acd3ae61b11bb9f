/**
 * birdImage's upstreams, by the name its metrics and logs give them: the `upstream` label of
 * `upstream_requests_total`, `circuit_breaker_state` and `upstream_budget_refusals_total`, the
 * `cache` label of `cache_lookups_total`. Dashboards, alerts and the runbook read these exact
 * strings.
 */
export const UPSTREAMS = { unsplash: 'unsplash' } as const;
