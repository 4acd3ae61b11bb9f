import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import { checkDnsSubdomain, checkInteger } from './constructs/props.js';
import type { AviaryEnvironment } from './environments.js';
import { PRUNE_PROTECTION } from './prune-protection.js';

/**
 * The StorageClass of the monitoring stack's volumes, named after the environment's prefix. Not
 * `longhorn` nor `longhorn-static`: Longhorn's manager creates those itself and replaces any
 * `longhorn` class it did not write. The Helm values of the documented kube-prometheus-stack
 * install select it (`charts/helm-values.ts`).
 */
export const monitoringStorageClass = (namePrefix: string): string => `${namePrefix}-longhorn`;

/**
 * The metadata of the environment's Namespace : prune-protected, Pod
 * Security Admission at `restricted`.
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

// Scaling out on a full cluster waits for room: it never evicts the ingress controller,
// cert-manager or the monitoring stack that bird depends on.
const PREEMPTION_POLICY = 'Never';

/** Props of {@link PlatformChart}. */
export interface PlatformChartProps extends Pick<AviaryEnvironment, 'namespace'> {
  /**
   * First part of the names of the cluster-scoped objects: two environments on one cluster never
   * apply the same object, which their GitOps units would fight over. @default `aviary`
   */
  readonly namePrefix?: string;
  /**
   * Name of the PriorityClass the services run at. The default carries the two fields the API
   * server will not update (value and preemption policy), so changing either names a new class
   * instead of an update that fails. @default `<namePrefix>-web-<priority>-never`
   */
  readonly priorityClassName?: string;
  /**
   * Priority of the services' pods. Not above the platform they depend on: ingress-nginx,
   * cert-manager and kube-prometheus-stack run at 0 by default, and the kubelet evicts lower
   * priorities first under node pressure. @default 0
   */
  readonly priority?: number;
  /** Longhorn's replica count for each volume. @default 3 */
  readonly storageReplicas?: number;
}

/**
 * Cluster-scoped objects Aviary relies on: the environment's Namespace (first: `kubectl apply -f
 * dist` applies it before anything in it), the PriorityClass of its pods and the
 * {@link monitoringStorageClass} StorageClass of the monitoring stack's volumes, all protected
 * from GitOps pruning. Argo CD's platform Application applies them; Flux's bootstrap file does
 * instead of Flux's platform unit, whose identity then cannot write them (charts/flux-chart.ts).
 * PriorityClass and StorageClass are `k8s` L1 objects: cdk8s-plus-27 has no construct for either.
 */
export class PlatformChart extends Chart {
  /** The PriorityClass the services should reference. */
  public readonly priorityClassName: string;
  /** The StorageClass the monitoring stack's volumes should use. */
  public readonly storageClassName: string;

  constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { disableResourceNameHashes: true });
    const owner = `PlatformChart "${id}"`;
    const priority = props.priority ?? 0;
    // Values above 1e9 are reserved for system-cluster-critical and system-node-critical.
    checkInteger(owner, 'priority', priority, 0, 1_000_000_000);
    // `aviary-web` held value 100000 and PreemptLowerPriority until it had to change: an
    // upgrade cannot update it (docs/deploying.md, "Upgrading").
    const namePrefix = props.namePrefix ?? 'aviary';
    this.priorityClassName =
      props.priorityClassName ?? `${namePrefix}-web-${priority}-${PREEMPTION_POLICY.toLowerCase()}`;
    checkDnsSubdomain(owner, 'priorityClassName', this.priorityClassName);
    this.storageClassName = monitoringStorageClass(namePrefix);
    checkDnsSubdomain(owner, 'namePrefix', this.storageClassName);
    const replicas = props.storageReplicas ?? 3;
    checkInteger(owner, 'storageReplicas', replicas, 1, 20);

    new kplus.Namespace(this, 'Namespace', { metadata: namespaceMetadata(props.namespace) });
    new k8s.KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.priorityClassName, annotations: { ...PRUNE_PROTECTION } },
      value: priority,
      globalDefault: false,
      preemptionPolicy: PREEMPTION_POLICY,
      description: 'Aviary web services: never preempt, never above the platform (priority 0).',
    });
    new k8s.KubeStorageClass(this, 'Longhorn', {
      metadata: { name: this.storageClassName, annotations: { ...PRUNE_PROTECTION } },
      provisioner: 'driver.longhorn.io',
      // Binding waits for the pod, so the volume lands where the scheduler put it.
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Delete',
      parameters: {
        numberOfReplicas: String(replicas),
        // Minutes before Longhorn gives up on a failed replica (its default: two days).
        staleReplicaTimeout: '2880',
      },
    });
  }
}
