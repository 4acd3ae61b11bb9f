import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { OPERATIONAL_PATHS } from '../../apps/shared/operational-contract.js';
import {
  ServiceMonitor,
  type ServiceMonitorSpecEndpointsRelabelings,
} from '../../imports/servicemonitor-monitoring.coreos.com.js';
import { failProp } from '../constructs/props.js';
import { HTTP_PORT_NAME, type WebService } from '../constructs/web-service.js';
import { POD_TARGET_LABELS } from './target-labels.js';

/** A Service of a {@link WebService}'s pods that a monitor scrapes through. */
export interface ScrapedService {
  /** The Service's name: the `job` label of every series scraped through it. */
  readonly name: string;
  /** Labels that select the Service (and no other). */
  readonly selector: Readonly<Record<string, string>>;
  /** Labels of the ServiceMonitor itself, next to `selectorLabels`. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Props of {@link WebServiceMonitor}. */
export interface WebServiceMonitorProps {
  /** The service to scrape: its pods are scraped on their named port. */
  readonly service: WebService;
  /**
   * Another Service of the same pods to scrape through, such as a canary's.
   * @default the service's own Service, selected by the pod selector labels (which it carries
   * exactly, see web-objects.ts)
   */
  readonly through?: ScrapedService;
  /**
   * Relabelings of each target before it is scraped, e.g. a `keep` on a pod label that scrapes
   * some of the Service's pods only. @default none
   */
  readonly relabelings?: readonly ServiceMonitorSpecEndpointsRelabelings[];
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
  /**
   * The `job` label of this monitor's series: prometheus-operator gives every target the name of
   * the Service it was found through. Alerts and dashboards that pick one service read it here.
   */
  public readonly job: string;

  constructor(scope: Construct, id: string, props: WebServiceMonitorProps) {
    super(scope, id);
    const { service } = props;
    const scraped = props.through ?? {
      name: service.name,
      selector: service.selector,
      labels: service.selector,
    };
    this.job = scraped.name;
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
        name: scraped.name,
        labels: { ...scraped.labels, ...props.selectorLabels },
      },
      spec: {
        selector: { matchLabels: { ...scraped.selector } },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [
          {
            port: HTTP_PORT_NAME,
            path,
            interval,
            honorLabels: false,
            ...(props.relabelings ? { relabelings: [...props.relabelings] } : {}),
          },
        ],
        podTargetLabels: [...POD_TARGET_LABELS],
      },
    });
  }
}
