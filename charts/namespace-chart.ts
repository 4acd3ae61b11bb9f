import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { checkDnsLabel } from './constructs/props.js';

/** Props of {@link NamespaceChart}. */
export interface NamespaceChartProps {
  /** @default 'aviary' */
  readonly namespace?: string;
  /**
   * Hard caps of the namespace. The defaults fit two services at ten replicas each plus one
   * surge pod during a rollout, at the containers' requests and limits.
   * @default pods 30, requests 4 CPU / 4Gi, limits 12 CPU / 8Gi, no LoadBalancer or NodePort
   */
  readonly quota?: Readonly<Record<string, string>>;
}

/** The quota applied when none is given; see {@link NamespaceChartProps.quota}. */
export const DEFAULT_QUOTA: Readonly<Record<string, string>> = {
  pods: '30',
  'requests.cpu': '4',
  'requests.memory': '4Gi',
  'limits.cpu': '12',
  'limits.memory': '8Gi',
  // Traffic enters through the Ingress only.
  'services.loadbalancers': '0',
  'services.nodeports': '0',
};

/**
 * The namespace and its guard rails: Pod Security Admission at `restricted`, a ResourceQuota, a
 * LimitRange, and NetworkPolicies that deny all traffic except DNS lookups, so each service
 * opens exactly what it needs.
 */
export class NamespaceChart extends Chart {
  /** The namespace's name. (Not `namespace`: on a Chart, that would namespace every object.) */
  public readonly namespaceName: string;

  constructor(scope: Construct, id: string, props: NamespaceChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    this.namespaceName = props.namespace ?? 'aviary';
    checkDnsLabel(`NamespaceChart "${id}"`, 'namespace', this.namespaceName);
    const metadata = (name: string) => ({ name, namespace: this.namespaceName });

    new kplus.Namespace(this, 'Namespace', {
      metadata: {
        name: this.namespaceName,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          // Enforcement is pinned to the oldest supported release, so a cluster upgrade that
          // tightens the profile cannot start rejecting pods; audit and warn follow the
          // cluster's latest profile, so such a change shows up first as warnings.
          'pod-security.kubernetes.io/enforce-version': 'v1.27',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': 'latest',
        },
      },
    });

    // cdk8s-plus-27 has no ResourceQuota or LimitRange construct: `k8s` L1 objects.
    const quantities = (entries: Readonly<Record<string, string>>) =>
      Object.fromEntries(
        Object.entries(entries).map(([key, value]) => [key, k8s.Quantity.fromString(value)]),
      );
    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: metadata(this.namespaceName),
      spec: { hard: quantities(props.quota ?? DEFAULT_QUOTA) },
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: metadata(this.namespaceName),
      spec: {
        limits: [
          {
            // Defaults for a container that declares no resources, and a ceiling so that no
            // single container can eat the quota the services were sized against.
            type: 'Container',
            defaultRequest: quantities({ cpu: '100m', memory: '128Mi' }),
            default: quantities({ cpu: '500m', memory: '256Mi' }),
            max: quantities({ cpu: '1', memory: '1Gi' }),
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
}
