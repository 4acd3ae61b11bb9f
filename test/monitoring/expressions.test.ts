import { beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import { production } from '../../charts/environments.js';
import { SERVED_ROUTES } from '../../charts/monitoring/promql.js';
import type { PrometheusRule } from '../support/k8s-types.js';
import { loadManifests, mutate } from '../support/manifests.js';
import { PLATFORM_METRICS, parseExposition, scrapeServices } from './support/known-metrics.js';
import {
  expressionProblems,
  interpolateGrafana,
  parsePromql,
  type Expression,
  type KnownMetrics,
} from './support/promql.js';
import {
  alertingRules,
  dashboardExpressions,
  recordingRules,
  ruleExpressions,
  shippedDashboard,
} from './support/sources.js';

const manifests = loadManifests();
const namespace = production.namespace;
const recorded = recordingRules(manifests);
const expressions = [
  ...ruleExpressions(recorded),
  ...ruleExpressions(alertingRules(manifests)),
  ...dashboardExpressions(shippedDashboard(manifests)),
];
let known: KnownMetrics;
let texts: Record<string, string>;

beforeAll(async () => {
  const exposition = await scrapeServices(manifests);
  // The SLO's recording rules are series too, labelled as their `sum by (namespace, job)`.
  const records = recorded.map((rule): [string, Set<string>] => [rule.record!, new Set(['job'])]);
  known = { exposed: new Map([...exposition.series, ...records]), platform: PLATFORM_METRICS };
  texts = exposition.texts;
});

describe('the PromQL of the alert rules and the dashboard in dist/monitoring/', () => {
  it('is all found: every alert and every dashboard query', () => {
    expect(expressions.filter((e) => e.source.startsWith('alert '))).toHaveLength(13);
    expect(expressions.filter((e) => e.source.startsWith('record '))).toHaveLength(7);
    expect(expressions.filter((e) => e.source.startsWith('panel '))).toHaveLength(33);
  });

  it('parses with the official grammar (no error node)', () => {
    const errors = expressions.flatMap(({ source, expr }) =>
      parsePromql(interpolateGrafana(expr)).errors.map((error) => `${source}: ${error}`),
    );
    expect(errors).toEqual([]);
  });

  it('reads only metrics the real services expose or the platform documents, in its namespace', () => {
    expect(expressionProblems(expressions, known, namespace)).toEqual([]);
  });

  it('uses every platform metric it allow-lists, none of which the services expose', () => {
    const used = new Set(
      expressions.flatMap(({ expr }) =>
        parsePromql(interpolateGrafana(expr)).selectors.map((s) => s.metric),
      ),
    );
    expect(Object.keys(PLATFORM_METRICS).filter((name) => !used.has(name))).toEqual([]);
    expect(Object.keys(PLATFORM_METRICS).filter((name) => known.exposed.has(name))).toEqual([]);
  });
});

describe('the services, as scraped', () => {
  it('expose the contract metrics (docs/contract.md#metrics) and the Node.js process metrics', () => {
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'upstream_requests_total',
      'upstream_request_duration_seconds_bucket',
      'cache_lookups_total',
      'circuit_breaker_state',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(known.exposed.has(name), name).toBe(true);
    }
    expect([...known.exposed.get('upstream_requests_total')!].sort()).toEqual([
      'outcome',
      'upstream',
    ]);
  });

  it('expose every name of the operational contract, the names the charts query', () => {
    const histograms: string[] = [
      SERVICE_METRICS.httpRequestDuration,
      SERVICE_METRICS.upstreamRequestDuration,
    ];
    const series = Object.values(SERVICE_METRICS).map((name) =>
      histograms.includes(name) ? `${name}_bucket` : name,
    );
    expect(series.filter((name) => !known.exposed.has(name))).toEqual([]);
  });

  it('record their probes under the routes the rules leave out, and their API under others', () => {
    const excluded = new RegExp(`^(?:${/"(.*)"/.exec(SERVED_ROUTES)![1]})$`);
    const routes = new Set(
      Object.values(texts).flatMap((text) =>
        [...text.matchAll(/^http_requests_total\{[^}]*route="([^"]*)"/gm)].map((m) => m[1]!),
      ),
    );
    expect([...routes].filter((route) => excluded.test(route)).sort()).toEqual([
      '/healthz',
      '/readyz',
    ]);
    expect([...routes].filter((route) => !excluded.test(route))).toEqual(['/']);
  });

  it('are read the way Prometheus reads them: histograms as _bucket, _sum and _count', () => {
    const series = parseExposition(
      '# TYPE t histogram\nt_bucket{le="1"} 1\n# TYPE c_total counter\nc_total{a="b"} 2\n',
    );
    expect([...series.keys()]).toEqual(['t_bucket', 't_sum', 't_count', 'c_total']);
    expect(series.get('c_total')).toEqual(new Set(['a']));
  });
});

describe('the checker reports', () => {
  const check = (expr: string) => expressionProblems([{ source: 'x', expr }], known, namespace);

  it('an alert rule reading a metric the services do not expose', () => {
    const broken = mutate<PrometheusRule>(manifests, 'PrometheusRule', 'aviary-alerts', (rule) => {
      const alerts = rule.spec.groups.find((g) => g.name === 'aviary')!.rules;
      const missingKey = alerts.find((r) => r.alert === 'AviaryUnsplashKeyMissing')!;
      missingKey.expr = String(missingKey.expr).replaceAll(
        'http_requests_total',
        'http_request_total',
      );
    });
    expect(expressionProblems(ruleExpressions(alertingRules(broken)), known, namespace)).toContain(
      'alert AviaryUnsplashKeyMissing: http_request_total is neither exposed by the services nor a known platform metric',
    );
  });

  const cases: [string, string, RegExp][] = [
    [
      'a histogram read without its _bucket suffix',
      'histogram_quantile(0.99, rate(http_request_duration_seconds{namespace="aviary"}[5m]))',
      /^x: http_request_duration_seconds is neither exposed/,
    ],
    [
      'a syntax error',
      'sum(rate(http_requests_total{namespace="aviary"}[5m])',
      /^x: syntax error at \d+/,
    ],
    ['a selector of every namespace', 'sum(up)', /^x: up is not scoped to namespace="aviary"$/],
    [
      'a label the metric does not have',
      'rate(cache_lookups_total{namespace="aviary", outcome="hit"}[5m])',
      /^x: cache_lookups_total has no label outcome$/,
    ],
  ];
  it.each(cases)('%s', (_, expr, expected) => {
    expect(check(expr)).toContainEqual(expect.stringMatching(expected));
  });

  it('nothing for a Grafana query once its variables are interpolated', () => {
    const query: Expression = {
      source: 'x',
      expr: 'sum(rate(http_requests_total{namespace="aviary"}[$__rate_interval]))',
    };
    expect(parsePromql(query.expr).errors).not.toEqual([]);
    expect(expressionProblems([query], known, namespace)).toEqual([]);
  });
});
