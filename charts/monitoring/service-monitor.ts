import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { OPERATIONAL_PATHS } from '../../apps/shared/operational-contract.js';
import { ServiceMonitor } from '../../imports/servicemonitor-monitoring.coreos.com.js';
import { failProp } from '../constructs/props.js';
import { HTTP_PORT_NAME, type WebService } from '../constructs/web-service.js';
import { POD_TARGET_LABELS } from './target-labels.js';

/** Props of {@link WebServiceMonitor}. */
export interface WebServiceMonitorProps {
  /** The service to scrape: its Service is selected by its labels, on its named port. */
  readonly service: WebService;
  /** Labels Prometheus's `serviceMonitorSelector` looks for, e.g. `release: kube-prometheus-stack`. @default {} */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /** @default the metrics path of `apps/shared/operational-contract.ts` */
  readonly path?: string;
  /** @default '15s' */
  readonly interval?: string;
}

/**
 * A ServiceMonitor that has Prometheus scrape every pod behind a {@link WebService}'s Service.
 *
 * It lives beside the Service (a ServiceMonitor selects Services of its own namespace by default)
 * but in another App: ServiceMonitor is a CRD kind, so it is synthesized into `dist/monitoring/`,
 * never next to the built-in kinds. The NetworkPolicy that lets Prometheus in is the
 * WebService's own (`allowedPods`).
 *
 * Each sample gets the target labels prometheus-operator always adds (`namespace`, `service`,
 * `pod`, `container`, `endpoint`, and `job`, the Service's name), plus the pod labels of
 * {@link POD_TARGET_LABELS}, so that errors can be split by release during a rollout.
 * `honorLabels: false` keeps those labels Prometheus's: a metric cannot overwrite them.
 */
export class WebServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: WebServiceMonitorProps) {
    super(scope, id);
    const { service } = props;
    const owner = `WebServiceMonitor "${service.name}"`;
    const namespace = Chart.of(this).namespace;
    const serviceNamespace = Chart.of(service).namespace;
    if (!namespace || namespace !== serviceNamespace) {
      failProp(
        owner,
        'service',
        `${serviceNamespace ?? ''}/${service.name}`,
        `create the monitor in a chart of namespace "${serviceNamespace}", beside the Service`,
      );
    }
    const interval = props.interval ?? '15s';
    if (!/^\d+[smh]$/.test(interval)) {
      failProp(owner, 'interval', interval, 'use a Prometheus duration such as "15s"');
    }
    const path = props.path ?? OPERATIONAL_PATHS.metrics;
    if (!path.startsWith('/'))
      failProp(owner, 'path', path, 'use an absolute path such as "/metrics"');

    new ServiceMonitor(this, 'Resource', {
      metadata: {
        name: service.name,
        labels: { ...service.selector, ...props.selectorLabels },
      },
      spec: {
        // The Service carries exactly the pod selector labels (see web-objects.ts).
        selector: { matchLabels: { ...service.selector } },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [{ port: HTTP_PORT_NAME, path, interval, honorLabels: false }],
        podTargetLabels: [...POD_TARGET_LABELS],
      },
    });
  }
}
