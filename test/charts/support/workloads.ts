import type {
  Container,
  CronJob,
  Deployment,
  IntOrString,
  KubeObject,
  LabelSelector,
  Labels,
} from '../../support/k8s-types.js';
import { ofKind, type Manifest } from '../../support/manifests.js';

/** Whether `selector` selects an object labelled `labels` (an empty selector selects all). */
export function selects(selector: LabelSelector | undefined, labels: Labels = {}): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
    switch (operator) {
      case 'In':
        return key in labels && (values ?? []).includes(labels[key]!);
      case 'NotIn':
        return !(key in labels) || !(values ?? []).includes(labels[key]!);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}

/** Whether a selector is empty, i.e. selects every pod of its namespace. */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !!selector &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** The labels a Deployment gives its pods. */
export function podLabels(deployment: Deployment): Labels {
  return deployment.spec.template.metadata?.labels ?? {};
}

/**
 * Every workload that runs pods: the Deployments, and each CronJob seen as a Deployment of its
 * Jobs' pod template (kind `CronJob`), so that the checks of selectors, ports and Pod Security
 * cover the synthetic check's pods too.
 */
export function podWorkloads(manifests: readonly Manifest[]): Deployment[] {
  const cronJobs = ofKind<CronJob>(manifests, 'CronJob').map(
    ({ apiVersion, kind, metadata, spec }): Deployment => ({
      apiVersion,
      kind,
      metadata,
      spec: {
        selector: { matchLabels: { ...spec.jobTemplate.spec.template.metadata?.labels } },
        template: spec.jobTemplate.spec.template,
      },
    }),
  );
  return [...ofKind<Deployment>(manifests, 'Deployment'), ...cronJobs];
}

/** The workloads ({@link podWorkloads}) of `namespace` whose pods `selector` selects. */
export function selectedDeployments(
  manifests: readonly Manifest[],
  namespace: string | undefined,
  selector: LabelSelector | undefined,
): Deployment[] {
  return podWorkloads(manifests).filter(
    (d) => d.metadata.namespace === namespace && selects(selector, podLabels(d)),
  );
}

/** An autoscaler as far as finding what it scales goes. */
interface Scaler {
  readonly metadata: { readonly namespace?: string };
  readonly spec: { readonly scaleTargetRef: { apiVersion?: string; kind: string; name: string } };
}

/**
 * What `hpa` scales: the Deployment or Argo Rollout (its /scale subresource is a Deployment's) of
 * its namespace that its `scaleTargetRef` names, or undefined when `manifests` hold none.
 */
export function scaleTargetOf<T extends KubeObject>(
  manifests: readonly Manifest[],
  hpa: Scaler,
): T | undefined {
  const target = hpa.spec.scaleTargetRef;
  return [...ofKind<T>(manifests, 'Deployment'), ...ofKind<T>(manifests, 'Rollout')].find(
    (w) =>
      w.kind === target.kind &&
      w.apiVersion === target.apiVersion &&
      w.metadata.name === target.name &&
      w.metadata.namespace === hpa.metadata.namespace,
  );
}

/** The first container of a Deployment's pods: the service's own, in Aviary's Deployments. */
export function firstContainer(deployment: Deployment): Container {
  return deployment.spec.template.spec.containers[0]!;
}

/** All containers of a Deployment's pods. */
export function containersOf(deployment: Deployment): Container[] {
  const pod = deployment.spec.template.spec;
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** Whether some container of `deployment` exposes `port` (a name or a number). */
export function exposesPort(deployment: Deployment, port: IntOrString): boolean {
  return deployment.spec.template.spec.containers.some((container) =>
    (container.ports ?? []).some((p) =>
      typeof port === 'number' ? p.containerPort === port : p.name === port,
    ),
  );
}

/** `namespace/name`, the way problems name a Deployment. */
export function ref(object: { metadata: { name: string; namespace?: string } }): string {
  return `${object.metadata.namespace}/${object.metadata.name}`;
}
