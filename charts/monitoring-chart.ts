import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { checkDnsLabel } from './constructs/props.js';

/** Props of {@link MonitoringChart}. */
export interface MonitoringChartProps {
  /** Namespace of the monitored services. @default 'aviary' */
  readonly namespace?: string;
}

/**
 * Monitoring of the services: their ServiceMonitors, alert rules and dashboard. It is
 * synthesized into `dist/monitoring/`, because ServiceMonitor and PrometheusRule are CRD kinds
 * a vanilla cluster does not know.
 *
 * Empty for now: the observability work fills it (the bindings are in `imports/`). An empty
 * chart writes no file.
 */
export class MonitoringChart extends Chart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps = {}) {
    const namespace = props.namespace ?? 'aviary';
    super(scope, id, { namespace, disableResourceNameHashes: true });
    checkDnsLabel(`MonitoringChart "${id}"`, 'namespace', namespace);
  }
}
