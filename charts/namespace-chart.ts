import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { DeployerRole, type DeployerRoleProps } from './constructs/deployer-role.js';
import { NamespaceBounds, type NamespaceBoundsProps } from './constructs/namespace-bounds.js';
import { checkDnsLabel } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';
import { FLUX_PRUNE_DISABLED } from './prune-protection.js';

/** Props of {@link NamespaceChart}: the namespace, and what bounds its pods. */
export type NamespaceChartProps = Pick<AviaryEnvironment, 'namespace'> &
  Omit<NamespaceBoundsProps, 'namespace'>;

/**
 * The namespace's guard rails (the Namespace itself, with Pod Security Admission at `restricted`,
 * is the PlatformChart's): a ResourceQuota and a LimitRange ({@link NamespaceBounds}),
 * NetworkPolicies that deny all traffic except DNS lookups, so each service opens exactly what it
 * needs, and the GitOps units' Roles ({@link NamespaceChart.allowDeployer}).
 *
 * Argo CD and `kubectl apply -f dist` apply all of them from this file. Flux's platform unit
 * applies only the NetworkPolicies: the rest ({@link NamespaceChart.handedOver}) is applied by
 * Flux's bootstrap file, and the unit's Kustomization deletes it from its build
 * (charts/flux-chart.ts), so that no identity Flux runs as writes the quota or a Role.
 */
export class NamespaceChart extends Chart {
  private readonly namespaceName: string;
  private readonly handedOverScopes: Construct[] = [];

  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    checkDnsLabel(`NamespaceChart "${id}"`, 'namespace', props.namespace);
    this.namespaceName = props.namespace;
    const metadata = (name: string) => ({ name, namespace: props.namespace });

    this.handOver(new NamespaceBounds(this, 'Bounds', props));
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
   * Lets a GitOps controller's ServiceAccount manage `props.kinds` in the namespace, and nothing
   * more. Flux's bootstrap file applies the Role, so that no identity Flux runs as writes a Role
   * or RoleBinding, and none can widen itself or another.
   */
  public allowDeployer(props: Omit<DeployerRoleProps, 'namespace'>): void {
    this.handOver(
      new DeployerRole(this, `Deployer-${props.name}`, { ...props, namespace: this.namespaceName }),
    );
  }

  /** What Flux's bootstrap file applies instead of Flux's unit: the quota, LimitRange and Roles. */
  public get handedOver(): readonly Construct[] {
    return [...this.handedOverScopes];
  }

  /**
   * Hands `scope` over to Flux's bootstrap file, its objects marked {@link FLUX_PRUNE_DISABLED}:
   * Flux's platform unit applied them until its Kustomization deleted them from its build, so its
   * first sync after that lists them as stale, gets each and skips it rather than deleting it. A
   * cluster whose bootstrap predates the hand-over puts the annotation on the live objects as
   * its unit applies this file, before the new bootstrap ever leaves them out.
   */
  private handOver(scope: Construct): void {
    this.handedOverScopes.push(scope);
    for (const object of scope.node.findAll()) {
      if (!(object instanceof ApiObject)) continue;
      for (const [key, value] of Object.entries(FLUX_PRUNE_DISABLED)) {
        object.metadata.addAnnotation(key, value);
      }
    }
  }
}
