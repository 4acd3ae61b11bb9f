import { monitoredServices } from '../../charts/support/cross-references.js';
import type { Labels, Service, ServiceMonitor } from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { selects } from '../../charts/support/workloads.js';

/** A pod as the Kubernetes service discovery of Prometheus sees it. */
export interface PodInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly container: string;
  /** Name of the container port the Service's named targetPort resolves to. */
  readonly portName: string;
}

/** A ServiceMonitor endpoint relabeling, as the CRD spells it. */
interface Relabeling {
  action?: string;
  sourceLabels?: string[];
  regex?: string;
  separator?: string;
}

/** prometheus-operator (v0.93.0) `sanitizeLabelName`: `__meta_kubernetes_pod_label_<this>`. */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

/**
 * The target labels the cluster's scrape gives `pod`, once per ServiceMonitor endpoint whose
 * Service selects it, as prometheus-operator v0.93.0 generates the scrape config: `namespace`,
 * `service`, `pod`, `container`, `endpoint` (the port name), `job` (the Service's name; no
 * `jobLabel` is set) and each `podTargetLabels` entry present on the pod, under its sanitized
 * name. Endpoint relabelings of action keep/drop on pod labels are applied (anchored regex, `;`
 * separator); any other relabeling is refused as not modelled. `serviceSelectors` stands for the
 * selector keys Argo Rollouts adds to the Services it manages (the pod-template hash).
 */
export function clusterTargetLabels(
  manifests: readonly Manifest[],
  pod: PodInfo,
  serviceSelectors: Readonly<Record<string, Labels>>,
): Labels[] {
  return ofKind<ServiceMonitor>(manifests, 'ServiceMonitor').flatMap((monitor) =>
    monitoredServices(manifests, monitor)
      .filter((service) => selectsPod(service, pod, serviceSelectors[service.metadata.name]))
      .flatMap((service) =>
        monitor.spec.endpoints
          .filter((endpoint) => endpoint.port !== undefined)
          .filter((endpoint) => kept(endpoint.relabelings ?? [], pod))
          .map((endpoint) => {
            const labels: Labels = {
              namespace: pod.namespace,
              service: service.metadata.name,
              pod: pod.name,
              container: pod.container,
              endpoint: endpoint.port!,
              job: service.metadata.name,
            };
            for (const name of monitor.spec.podTargetLabels ?? []) {
              const value = pod.labels[name];
              if (value) labels[sanitize(name)] = value;
            }
            return labels;
          }),
      ),
  );
}

function selectsPod(service: Service, pod: PodInfo, added: Labels = {}): boolean {
  return (
    service.metadata.namespace === pod.namespace &&
    selects({ matchLabels: { ...service.spec.selector, ...added } }, pod.labels)
  );
}

function kept(relabelings: readonly Relabeling[], pod: PodInfo): boolean {
  return relabelings.every((relabeling) => {
    const action = relabeling.action ?? 'replace';
    if (action !== 'keep' && action !== 'drop') {
      throw new Error(`relabeling action ${action} is not modelled`);
    }
    const value = (relabeling.sourceLabels ?? [])
      .map((source) => {
        const match = /^__meta_kubernetes_pod_label_(\w+)$/.exec(source);
        if (!match) throw new Error(`relabeling source ${source} is not modelled`);
        const label = Object.keys(pod.labels).find((name) => sanitize(name) === match[1]);
        return label === undefined ? '' : pod.labels[label]!;
      })
      .join(relabeling.separator ?? ';');
    const matches = new RegExp(`^(?:${relabeling.regex ?? '(.*)'})$`).test(value);
    return action === 'keep' ? matches : !matches;
  });
}
