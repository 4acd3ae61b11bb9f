import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  RowBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { APPLICATION } from '../application.js';
import { DATASOURCE_VARIABLE, type DashboardScope, type PanelBuilder } from './dashboard-panels.js';
import { caches, goldenSignals, upstreams } from './dashboard-service-rows.js';
import { capacity, pods } from './dashboard-workload-rows.js';

/** What the dashboard is drawn for. */
export interface DashboardOptions extends DashboardScope {
  /** Stable identifier: links and bookmarks survive a re-import. @default 'aviary-overview' */
  readonly uid?: string;
}

type Row = readonly [title: string, panels: readonly PanelBuilder[]];

/**
 * The Aviary dashboard, rows in the order an incident is debugged: golden signals (is it
 * broken, for whom, since when), upstreams (is it someone else), caches and breakers (how the
 * services are coping), capacity (are they starved), pods (are they crashing).
 */
export function buildDashboard(options: DashboardOptions): Dashboard {
  const rows: Row[] = [
    ['Golden signals', goldenSignals(options)],
    ['Upstreams', upstreams(options)],
    ['Caches and circuit breakers', caches(options)],
    ['Capacity', capacity(options)],
    ['Pods', pods(options)],
  ];
  const builder = new DashboardBuilder(`Aviary (${options.namespace})`)
    .uid(options.uid ?? 'aviary-overview')
    .description('bird and birdImage: traffic, errors, latency, upstreams, capacity, pods.')
    .tags([APPLICATION, 'generated'])
    .readonly()
    .timezone('utc')
    .time({ from: 'now-3h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .withVariable(
      new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Prometheus').type('prometheus'),
    );
  // Panel ids are unique within a dashboard and fixed, so that links to a panel keep working.
  let id = 0;
  for (const [title, panels] of rows) {
    builder.withRow(new RowBuilder(title).id(++id));
    for (const panel of panels) {
      panel.id(++id);
      builder.withPanel(panel);
    }
  }
  return builder.build();
}

/**
 * The dashboard as the JSON Grafana imports: keys sorted at every level (integer-like keys, such
 * as value mappings' `"0"` and `"1"`, first: JavaScript objects always list those first), so the
 * output depends on the content only, never on the order the SDK fills its objects in; 2-space
 * indented for readable diffs. Functions (the SDK's query type markers) are left out, as
 * JSON.stringify does.
 */
export function dashboardJson(dashboard: Dashboard): string {
  return `${JSON.stringify(sortKeys(dashboard), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .filter((key) => typeof (value as Record<string, unknown>)[key] !== 'function')
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
