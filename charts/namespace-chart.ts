import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { DeployerRole, type DeployerRoleProps } from './constructs/deployer-role.js';
import { checkDnsLabel } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';
import { PRUNE_PROTECTION } from './prune-protection.js';

/** Props of {@link NamespaceChart}. */
export interface NamespaceChartProps extends Pick<AviaryEnvironment, 'namespace'> {
  /** The most pods the namespace runs at once (`peakPods`): the quota's `pods`. */
  readonly peakPods: number;
  /**
   * Hard caps of the namespace other than pods. The defaults fit the peak of the optional Argo
   * Rollouts layer (docs/releasing.md) at the containers' requests and limits: both services at
   * twice their maximum (takeover, or a canary at 100 %), the synthetic check and a solver
   * (test/charts/policy.test.ts sums them from dist/).
   * @default requests 5 CPU / 7Gi / 4Gi ephemeral, limits 24 CPU / 12Gi / 12Gi ephemeral, no
   * LoadBalancer, no NodePort
   */
  readonly quota?: Readonly<Record<string, string>>;
}

/** The quota applied when none is given; see {@link NamespaceChartProps.quota}. */
export const DEFAULT_QUOTA: Readonly<Record<string, string>> = {
  'requests.cpu': '5',
  'requests.memory': '7Gi',
  'limits.cpu': '24',
  'limits.memory': '12Gi',
  'requests.ephemeral-storage': '4Gi',
  'limits.ephemeral-storage': '12Gi',
  // Traffic enters through the Ingress only. cert-manager's HTTP-01 solver Service would be a
  // NodePort by default; the documented ClusterIssuer (deploy/cluster-issuer.yaml) makes it a
  // ClusterIP, so no Service here ever opens a port on the nodes.
  'services.loadbalancers': '0',
  'services.nodeports': '0',
};

/**
 * The metadata of the environment's Namespace: prune-protected, Pod Security Admission at
 * `restricted`. The platform unit applies it, and Flux's bootstrap file creates it first, for the
 * platform identity's RoleBinding (charts/flux-chart.ts): both write the same fields.
 */
export function namespaceMetadata(name: string) {
  return {
    name,
    // Deleting the namespace would delete the hand-made Secrets in it.
    annotations: { ...PRUNE_PROTECTION },
    labels: {
      'pod-security.kubernetes.io/enforce': 'restricted',
      // Enforcement is pinned to the oldest supported release, so a cluster upgrade that
      // tightens the profile cannot start rejecting pods; audit and warn follow the cluster's
      // latest profile, so such a change shows up first as warnings.
      'pod-security.kubernetes.io/enforce-version': 'v1.27',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    },
  };
}

/**
 * The namespace and its guard rails: Pod Security Admission at `restricted`, a ResourceQuota, a
 * LimitRange, and NetworkPolicies that deny all traffic except DNS lookups, so each service
 * opens exactly what it needs.
 */
export class NamespaceChart extends Chart {
  /** The namespace's name. (Not `namespace`: on a Chart, that would namespace every object.) */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaceName = props.namespace;
    checkDnsLabel(`NamespaceChart "${id}"`, 'namespace', this.namespaceName);
    const metadata = (name: string) => ({ name, namespace: this.namespaceName });

    new kplus.Namespace(this, 'Namespace', { metadata: namespaceMetadata(this.namespaceName) });

    // cdk8s-plus-27 has no ResourceQuota or LimitRange construct: `k8s` L1 objects.
    const quantities = (entries: Readonly<Record<string, string>>) =>
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [key, k8s.Quantity.fromString(value)]),
      );
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: metadata(this.namespaceName),
      spec: {
        hard: quantities({ pods: String(props.peakPods), ...(props.quota ?? DEFAULT_QUOTA) }),
      },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: metadata(this.namespaceName),
      spec: {
        limits: [
          {
            // Defaults for a container that declares no resources, and a ceiling so that no
            // single container can eat the quota the services were sized against.
            // Add-on pods (cert-manager's solver) set cpu and memory but no ephemeral storage:
            // the defaults fill it in, so the quota admits them.
            type: 'Container',
            defaultRequest: quantities({
              cpu: '100m',
              memory: '128Mi',
              'ephemeral-storage': '64Mi',
            }),
            default: quantities({ cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' }),
            max: quantities({ cpu: '1', memory: '1Gi', 'ephemeral-storage': '1Gi' }),
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
