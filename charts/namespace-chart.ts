import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { DeployerRole, type DeployerRoleProps } from './constructs/deployer-role.js';
import { checkDnsLabel } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';
import {
  type ContainerResources,
  type ContainerSizes,
  cores,
  gibibytes,
  mebibytes,
  millicores,
  resourceList,
} from './quantities.js';

/** Props of {@link NamespaceChart}. */
export interface NamespaceChartProps extends Pick<AviaryEnvironment, 'namespace'> {
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

/** The quota applied when none is given; see {@link NamespaceChartProps.quota}. */
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
 * The namespace's guard rails (the Namespace itself, with Pod Security Admission at `restricted`,
 * is the PlatformChart's): a ResourceQuota, a LimitRange, and NetworkPolicies that deny all
 * traffic except DNS lookups, so each service opens exactly what it needs.
 */
export class NamespaceChart extends Chart {
  /** The namespace's name. (Not `namespace`: on a Chart, that would namespace every object.) */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaceName = props.namespace;
    checkDnsLabel(`NamespaceChart "${id}"`, 'namespace', this.namespaceName);
    const metadata = (name: string) => ({ name, namespace: this.namespaceName });

    // cdk8s-plus-27 has no ResourceQuota or LimitRange construct: `k8s` L1 objects.
    const quota = props.quota ?? DEFAULT_QUOTA;
    const capped = (prefix: string, sizes: ContainerSizes): [string, k8s.Quantity][] =>
      Object.entries(resourceList(sizes)).map(([key, value]) => [`${prefix}.${key}`, value]);
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: metadata(this.namespaceName),
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
      metadata: metadata(this.namespaceName),
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

    const allPods = kplus.Pods.all(this, 'AllPods');
    new kplus.NetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny'),
      selector: allPods,
      ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    });
    const kubeDns = kplus.Pods.select(this, 'KubeDns', {
      labels: { 'k8s-app': 'kube-dns' },
      namespaces: kplus.Namespaces.select(this, 'KubeSystem', { names: ['kube-system'] }),
    });
    new kplus.NetworkPolicy(this, 'AllowDns', {
      metadata: metadata('allow-dns'),
      selector: allPods,
      egress: {
        rules: [
          {
            peer: kubeDns,
            // Large answers fall back from UDP to TCP.
            ports: [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)],
          },
        ],
      },
    });
  }

  /**
   * Lets a GitOps controller's ServiceAccount manage `props.kinds` in this namespace, and nothing
   * more. The Role lives here, with the other guard rails, so the identity cannot widen itself.
   */
  public allowDeployer(props: DeployerRoleProps): void {
    new DeployerRole(this, `Deployer-${props.name}`, { namespace: this.namespaceName, ...props });
  }
}
