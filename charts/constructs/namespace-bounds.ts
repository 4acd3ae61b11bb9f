import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  type ContainerResources,
  type ContainerSizes,
  cores,
  gibibytes,
  mebibytes,
  millicores,
  resourceList,
} from '../quantities.js';

/** Props of {@link NamespaceBounds}. */
export interface NamespaceBoundsProps {
  /** The namespace bounded; the ResourceQuota and LimitRange are named after it. */
  readonly namespace: string;
  /** The most pods the namespace runs at once (`peakPods`): the quota's `pods`. */
  readonly peakPods: number;
  /**
   * Caps of the namespace's summed requests and limits. The defaults fit the peak of the optional
   * Argo Rollouts layer (docs/releasing.md) at the containers' requests and limits: both services
   * at twice their maximum (takeover, or a canary at 100 %), the synthetic check and a solver
   * (test/charts/policy.test.ts sums them from dist/).
   * @default requests 5 CPU / 7Gi / 4Gi ephemeral, limits 24 CPU / 12Gi / 12Gi ephemeral
   */
  readonly quota?: ContainerResources;
}

/** The quota applied when none is given; see {@link NamespaceBoundsProps.quota}. */
export const DEFAULT_QUOTA: ContainerResources = {
  requests: { cpu: cores(5), memory: gibibytes(7), ephemeralStorage: gibibytes(4) },
  limits: { cpu: cores(24), memory: gibibytes(12), ephemeralStorage: gibibytes(12) },
};

/**
 * What the LimitRange gives a container that declares no resources (`defaultRequest`,
 * `default`), and the ceiling no container may pass, so that none can eat the quota the
 * services were sized against.
 */
export const CONTAINER_LIMITS = {
  defaultRequest: { cpu: millicores(100), memory: mebibytes(128), ephemeralStorage: mebibytes(64) },
  default: { cpu: millicores(500), memory: mebibytes(256), ephemeralStorage: mebibytes(256) },
  max: { cpu: cores(1), memory: gibibytes(1), ephemeralStorage: gibibytes(1) },
} as const satisfies Record<string, ContainerSizes>;

/**
 * What bounds the pods of a namespace: a ResourceQuota (pods, summed requests and limits, no
 * LoadBalancer or NodePort Service) and a LimitRange (each container's defaults and ceiling).
 * `k8s` L1 objects: cdk8s-plus-27 has no ResourceQuota or LimitRange construct.
 */
export class NamespaceBounds extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceBoundsProps) {
    super(scope, id);
    const metadata = { name: props.namespace, namespace: props.namespace };
    const quota = props.quota ?? DEFAULT_QUOTA;
    const capped = (prefix: string, sizes: ContainerSizes): [string, k8s.Quantity][] =>
      Object.entries(resourceList(sizes)).map(([key, value]) => [`${prefix}.${key}`, value]);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata,
      spec: {
        hard: {
          pods: k8s.Quantity.fromString(String(props.peakPods)),
          ...Object.fromEntries([
            ...capped('requests', quota.requests),
            ...capped('limits', quota.limits),
          ]),
          // Traffic enters through the Ingress only. cert-manager's HTTP-01 solver Service would
          // be a NodePort by default; the documented ClusterIssuer (deploy/cluster-issuer.yaml)
          // makes it a ClusterIP, so no Service here ever opens a port on the nodes.
          'services.loadbalancers': k8s.Quantity.fromString('0'),
          'services.nodeports': k8s.Quantity.fromString('0'),
        },
      },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata,
      spec: {
        limits: [
          {
            // Add-on pods (cert-manager's solver) set cpu and memory but no ephemeral storage:
            // the defaults fill it in, so the quota admits them.
            type: 'Container',
            defaultRequest: resourceList(CONTAINER_LIMITS.defaultRequest),
            default: resourceList(CONTAINER_LIMITS.default),
            max: resourceList(CONTAINER_LIMITS.max),
          },
        ],
      },
    });
  }
}
