import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { describe, expect, it } from 'vitest';
import { production } from '../../charts/environments.js';
import { DASHBOARD_NAME } from '../../charts/monitoring-chart.js';
import { buildDashboard, dashboardJson } from '../../charts/monitoring/dashboard.js';
import { loadManifests } from '../support/manifests.js';
import { dashboardModelProblems, rowTitles } from './support/dashboard-model.js';
import { interpolateGrafana, parsePromql } from './support/promql.js';
import { dashboardConfigMap, shippedDashboard } from './support/sources.js';

const manifests = loadManifests();
const dashboard = shippedDashboard(manifests);
const options = { namespace: production.namespace, services: ['bird-image', 'bird'] };

/** The metric names each row's queries read, by row title. */
function metricsByRow(model: Dashboard): Record<string, string[]> {
  const rows: Record<string, string[]> = {};
  let current = '';
  for (const panel of model.panels ?? []) {
    if (panel.type === 'row') current = panel.title ?? '';
    for (const target of (panel as Panel).targets ?? []) {
      const expr = interpolateGrafana(String((target as { expr?: string }).expr));
      rows[current] = [
        ...new Set([...(rows[current] ?? []), ...parsePromql(expr).selectors.map((s) => s.metric)]),
      ];
    }
  }
  return rows;
}

describe('dist/monitoring/', () => {
  it('holds the ServiceMonitors, the PrometheusRules and the dashboard ConfigMap', () => {
    expect(
      manifests
        .filter((m) => m.file.startsWith('monitoring/'))
        .map(
          (m) =>
            `${m.file}: ${m.object.kind} ${m.object.metadata.namespace}/${m.object.metadata.name}`,
        ),
    ).toEqual([
      'monitoring/monitoring.k8s.yaml: ServiceMonitor aviary/bird-image',
      'monitoring/monitoring.k8s.yaml: ServiceMonitor aviary/bird',
      'monitoring/monitoring.k8s.yaml: PrometheusRule aviary/aviary-alerts',
      `monitoring/monitoring.k8s.yaml: ConfigMap aviary/${DASHBOARD_NAME}`,
      'monitoring/synthetic-check.k8s.yaml: PrometheusRule aviary/aviary-synthetic-check',
    ]);
  });

  it("labels the ConfigMap for Grafana's sidecar, small enough for kubectl apply", () => {
    const configMap = dashboardConfigMap(manifests);
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    // Client-side apply copies the object into an annotation, and annotations are capped at 256 KiB.
    expect(Buffer.byteLength(JSON.stringify(configMap))).toBeLessThan(128 * 1024);
  });
});

describe('the dashboard', () => {
  it('is a valid dashboard model', () => {
    expect(dashboardModelProblems(dashboard)).toEqual([]);
  });

  it('has its rows in the order an incident is debugged', () => {
    expect(rowTitles(dashboard)).toEqual([
      'Golden signals',
      'Upstreams',
      'Caches and circuit breakers',
      'Capacity',
      'Pods',
    ]);
  });

  it('charts in each row what the issue asks for', () => {
    const rows = metricsByRow(dashboard);
    expect(rows['Golden signals']).toEqual(
      expect.arrayContaining(['http_requests_total', 'http_request_duration_seconds_bucket']),
    );
    expect(rows.Upstreams).toEqual(
      expect.arrayContaining([
        'upstream_requests_total',
        'upstream_request_duration_seconds_bucket',
      ]),
    );
    expect(rows['Caches and circuit breakers']).toEqual([
      'cache_lookups_total',
      'circuit_breaker_state',
    ]);
    expect(rows.Capacity).toEqual(
      expect.arrayContaining([
        'kube_horizontalpodautoscaler_status_current_replicas',
        'kube_horizontalpodautoscaler_spec_min_replicas',
        'kube_horizontalpodautoscaler_spec_max_replicas',
        'container_cpu_usage_seconds_total',
        'container_memory_working_set_bytes',
        'kube_pod_container_resource_requests',
        'kube_pod_container_resource_limits',
      ]),
    );
    expect(rows.Pods).toEqual(expect.arrayContaining(['kube_pod_container_status_restarts_total']));
    const titles = (dashboard.panels ?? []).map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Latency percentiles by service and route',
        '5xx ratio by service and route',
        'Cache lookups: hits, misses, coalesced',
        'Circuit breaker state',
      ]),
    );
  });

  it('is what the charts generate, byte for byte, every time: sorted keys, fixed uid', () => {
    const json = dashboardConfigMap(manifests).data?.[`${DASHBOARD_NAME}.json`];
    expect(json).toBe(dashboardJson(buildDashboard(options)));
    expect(dashboardJson(buildDashboard(options))).toBe(json);
    expect(dashboard.uid).toBe('aviary-overview');
    const unsorted: string[] = [];
    const walk = (value: unknown, at: string) => {
      if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${at}[${i}]`));
      else if (value && typeof value === 'object') {
        const keys = Object.keys(value);
        // Sorted, as far as an object can be: JavaScript puts integer-like keys first.
        const sorted = Object.keys(Object.fromEntries([...keys].sort().map((key) => [key, 0])));
        if (keys.join() !== sorted.join()) unsorted.push(at);
        for (const key of keys) walk((value as Record<string, unknown>)[key], `${at}.${key}`);
      }
    };
    walk(JSON.parse(json!), '$');
    expect(unsorted).toEqual([]);
  });
});

describe('the dashboard model check reports', () => {
  const broken = (change: (model: Dashboard & { panels: (Panel | RowPanel)[] }) => void) => {
    const copy = structuredClone(dashboard) as Dashboard & { panels: (Panel | RowPanel)[] };
    change(copy);
    return dashboardModelProblems(copy);
  };
  const panel = (model: { panels: (Panel | RowPanel)[] }, index: number) =>
    model.panels[index] as Panel;

  const cases: [string, (model: Dashboard & { panels: (Panel | RowPanel)[] }) => void, RegExp][] = [
    ['a missing uid', (m) => delete m.uid, /^uid undefined is not/],
    [
      'a repeated panel id',
      (m) => (panel(m, 2).id = panel(m, 1).id),
      /^panel id 2 is missing or not unique$/,
    ],
    [
      'overlapping panels',
      (m) => (panel(m, 2).gridPos = { ...panel(m, 1).gridPos!, x: 3 }),
      /^panel 2 "Requests per second" overlaps panel 3 "5xx ratio"$/,
    ],
    [
      'a panel off the grid',
      (m) => (panel(m, 1).gridPos!.w = 30),
      /gridPos .* is off the 24-column grid/,
    ],
    [
      'a query without expr',
      (m) => Reflect.deleteProperty(panel(m, 1).targets![0]!, 'expr'),
      /^panel 2 "Requests per second": target A has no expr$/,
    ],
    [
      'a panel on a fixed data source',
      (m) => (panel(m, 1).datasource = { type: 'prometheus', uid: 'prometheus' }),
      /^panel 2 "Requests per second": datasource is not the \$datasource variable$/,
    ],
    [
      'an open row holding panels',
      (m) => (m.panels[0] as RowPanel).panels.push(panel(m, 1)),
      /^panel 1 "Golden signals": an open row must not hold panels/,
    ],
    ['no datasource variable', (m) => (m.templating = {}), /^no Prometheus datasource variable$/],
  ];
  it.each(cases)('%s', (_, change, expected) => {
    expect(broken(change)).toContainEqual(expect.stringMatching(expected));
  });
});
