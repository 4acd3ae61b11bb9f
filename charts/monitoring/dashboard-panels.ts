import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  LineInterpolation,
  ReduceDataOptionsBuilder,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type DataSourceRef,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { CIRCUIT_STATE_VALUE, type CircuitState } from '../../apps/shared/operational-contract.js';

/*
 * Panel factories for the Aviary dashboard: every panel reads the Prometheus the dashboard's
 * `datasource` variable points at, and names its queries A, B, C… in the order given.
 */

/** What the panels are drawn for. */
export interface DashboardScope {
  /** Namespace of the services; every query is scoped to it. */
  readonly namespace: string;
  /** Service names: the `job` label of their metrics, and their containers' names. */
  readonly services: readonly string[];
}

/** A panel of either kind this file builds. */
export type PanelBuilder = StatPanelBuilder | TimeseriesPanelBuilder;

/** The range of rate(): Grafana widens it to at least four scrape intervals, never empty. */
export const RATE = '$__rate_interval';

/** Name of the dashboard variable that picks the Prometheus data source. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The data source of every panel and query: the one the variable selects. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** One PromQL query of a panel and the legend of its series. */
export interface PanelQuery {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{job}} {{route}}`. */
  readonly legend: string;
}

/** What every panel states. */
export interface PanelText {
  readonly title: string;
  /** What the panel shows and what to look for: the on-call engineer reads it on hover. */
  readonly description: string;
  /** Grafana unit id, e.g. `reqps`, `percentunit`, `s`, `bytes`. */
  readonly unit: string;
}

/** Options of {@link timeseries}. */
export interface TimeseriesOptions extends PanelText {
  readonly queries: readonly PanelQuery[];
  /** A value drawn as a red dashed line: the alert threshold the panel relates to. @default none */
  readonly threshold?: number;
  /** @default 0 */
  readonly min?: number;
  /** @default automatic */
  readonly max?: number;
  /** Panel width in grid columns (24 is the full width). @default 8 */
  readonly width?: number;
  /** @default none */
  readonly mappings?: ValueMapping[];
  /** Draws steps instead of slopes, for states. @default false */
  readonly steps?: boolean;
}

const targets = (queries: readonly PanelQuery[]) =>
  queries.map((query, index) =>
    new DataqueryBuilder()
      .datasource(DATASOURCE)
      .expr(query.expr)
      .legendFormat(query.legend)
      .refId(String.fromCharCode(65 + index)),
  );

const thresholdSteps = (steps: [number | null, string][]) =>
  new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));

/** A time series panel, 8 rows high, with a table legend and a shared tooltip. */
export function timeseries(options: TimeseriesOptions): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(DATASOURCE)
    .targets(targets(options.queries))
    .unit(options.unit)
    .min(options.min ?? 0)
    .height(8)
    .span(options.width ?? 8)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending),
    );
  if (options.max !== undefined) panel.max(options.max);
  if (options.mappings) panel.mappings(options.mappings);
  if (options.steps) panel.lineInterpolation(LineInterpolation.StepAfter);
  if (options.threshold !== undefined) {
    panel
      .thresholds(
        thresholdSteps([
          [null, 'green'],
          [options.threshold, 'red'],
        ]),
      )
      .thresholdsStyle(
        new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
      );
  }
  return panel;
}

/** Options of {@link stat}. */
export interface StatOptions extends PanelText {
  readonly query: PanelQuery;
  /** Colour steps: `[from, colour]`, the first from `null` (minus infinity). */
  readonly colors: [number | null, string][];
}

/** A stat panel, 4 rows high and a quarter of the width, showing the last value per series. */
export function stat(options: StatOptions): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(DATASOURCE)
    .targets(targets([options.query]))
    .unit(options.unit)
    .height(4)
    .span(6)
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholdSteps(options.colors));
}

// How each breaker state is drawn, in the order of the legend.
const BREAKER_COLORS: Readonly<Record<CircuitState, string>> = {
  closed: 'green',
  'half-open': 'orange',
  open: 'red',
};

/** Value mappings of `circuit_breaker_state`: each state's gauge value back to its name. */
export const BREAKER_STATES: ValueMapping[] = [
  {
    type: MappingType.ValueToText,
    options: Object.fromEntries(
      (Object.keys(BREAKER_COLORS) as CircuitState[]).map((state, index) => [
        String(CIRCUIT_STATE_VALUE[state]),
        { text: state, color: BREAKER_COLORS[state], index },
      ]),
    ),
  },
];
