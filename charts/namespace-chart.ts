import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { checkDnsLabel } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';

/** Props of {@link NamespaceChart}. */
export type NamespaceChartProps = Pick<AviaryEnvironment, 'namespace'>;

/**
 * The NetworkPolicies of the namespace, which deny all traffic except DNS lookups, so each
 * service opens exactly what it needs: what Flux's platform unit applies. The namespace's other
 * guard rails (the Namespace itself, with Pod Security Admission at `restricted`, its
 * ResourceQuota and LimitRange, the GitOps units' Roles) are the PlatformChart's, which Flux's
 * bootstrap file applies instead (charts/flux-chart.ts).
 */
export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: NamespaceChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    checkDnsLabel(`NamespaceChart "${id}"`, 'namespace', props.namespace);
    const metadata = (name: string) => ({ name, namespace: props.namespace });

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
