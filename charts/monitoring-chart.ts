import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { APPLICATION } from './application.js';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import { checkDnsLabel, failProp } from './constructs/props.js';
import type { WebService } from './constructs/web-service.js';
import type { AviaryEnvironment } from './environments.js';
import type { GitOpsSource } from './gitops-units.js';
import { AlertRules } from './monitoring/alert-rules.js';
import { buildDashboard, dashboardJson } from './monitoring/dashboard.js';
import { WebServiceMonitor } from './monitoring/service-monitor.js';

/**
 * Props of {@link MonitoringChart}: the namespace of the monitored services (their monitors and
 * rules go there too), the labels Prometheus selects ServiceMonitors and PrometheusRules by, and
 * the Ingress's TLS Secret, whose certificate the expiry alert watches.
 */
export interface MonitoringChartProps extends Pick<
  AviaryEnvironment,
  'namespace' | 'prometheusSelectorLabels' | 'tlsSecretName'
> {
  /** The services to scrape, alert on and chart (they must live in `namespace`). */
  readonly services: readonly WebService[];
  /** The one of `services` that looks bird names up on Unsplash: the missing-key alert watches it. */
  readonly unsplashClient: WebService;
  /**
   * Namespace of the dashboard ConfigMap. Grafana's sidecar in kube-prometheus-stack loads
   * ConfigMaps labelled `grafana_dashboard: "1"` from every namespace (`searchNamespace: ALL`,
   * the chart's default, set again in `deploy/kube-prometheus-stack.values.yaml`). In the
   * services' namespace, the whole folder stays within what a namespaced GitOps identity may
   * manage. @default `namespace`
   */
  readonly dashboardNamespace?: string;
  /** The runbook the alerts link to; `#<alert name in lower case>` is appended. */
  readonly runbookUrl: string;
}

/**
 * The runbook as the synced branch has it, so that the alerts and their runbook change together:
 * `docs/runbook.md` of `source` on GitHub.
 */
export function runbookUrlOf(source: Pick<GitOpsSource, 'repoUrl' | 'branch'>): string {
  return `${source.repoUrl.replace(/\.git$/, '')}/blob/${source.branch}/docs/runbook.md`;
}

/** Name of the dashboard ConfigMap, and of its JSON file in Grafana. */
export const DASHBOARD_NAME = 'aviary-dashboard';

/**
 * Monitoring of the services for a kube-prometheus-stack: a ServiceMonitor per service, the
 * alert rules (each linking to its runbook section) and the Grafana dashboard. It is
 * synthesized into `dist/monitoring/`: ServiceMonitor and PrometheusRule are CRD kinds a vanilla
 * cluster does not know, and the dashboard ConfigMap, although a built-in kind, is useful only
 * where that stack is installed, so it is synced with them.
 */
export class MonitoringChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, 'MonitoringChart', props);
    const namespace = this.namespaceName;
    const owner = this.owner;
    const dashboardNamespace = props.dashboardNamespace ?? namespace;
    checkDnsLabel(owner, 'dashboardNamespace', dashboardNamespace);
    if (props.services.length === 0) {
      failProp(owner, 'services', [], 'give the WebServices to monitor');
    }
    const { runbookUrl } = props;
    if (!/^https:\/\/\S+$/.test(runbookUrl) || runbookUrl.includes('#')) {
      failProp(owner, 'runbookUrl', runbookUrl, 'use an https:// URL without a #fragment');
    }
    const selectorLabels = props.prometheusSelectorLabels;
    const partOf = { 'app.kubernetes.io/part-of': APPLICATION };

    if (!props.services.includes(props.unsplashClient)) {
      failProp(owner, 'unsplashClient', props.unsplashClient.name, 'give one of `services`');
    }
    // The alerts pick services by the `job` label each monitor's targets get.
    const jobs = new Map(
      props.services.map((service) => {
        const monitor = new WebServiceMonitor(this, `${service.name}-monitor`, {
          service,
          selectorLabels,
        });
        return [service, monitor.job];
      }),
    );
    const names = props.services.map((service) => service.name);
    new AlertRules(this, 'alerts', {
      namespace,
      services: [...jobs.values()],
      unsplashClient: jobs.get(props.unsplashClient)!,
      runbookUrl,
      certificateName: props.tlsSecretName,
      labels: { ...partOf, ...selectorLabels },
    });
    new kplus.ConfigMap(this, 'dashboard', {
      metadata: {
        name: DASHBOARD_NAME,
        namespace: dashboardNamespace,
        labels: { ...partOf, grafana_dashboard: '1' },
      },
      data: {
        [`${DASHBOARD_NAME}.json`]: dashboardJson(buildDashboard({ namespace, services: names })),
      },
    });
  }
}
