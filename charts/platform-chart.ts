import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { checkDnsSubdomain, checkInteger } from './constructs/props.js';

/** Props of {@link PlatformChart}. */
export interface PlatformChartProps {
  /** Name of the PriorityClass the services run at. @default 'aviary-web' */
  readonly priorityClassName?: string;
  /**
   * Priority of the services' pods: above batch work, far below the system classes
   * (2 000 000 000 and up). @default 100000
   */
  readonly priority?: number;
  /** Longhorn's replica count for each volume. @default 3 */
  readonly storageReplicas?: number;
}

/**
 * Cluster-scoped objects Aviary relies on: the PriorityClass of its pods and the `longhorn`
 * StorageClass of the monitoring stack's volumes. Both are `k8s` L1 objects: cdk8s-plus-27 has
 * no construct for either.
 */
export class PlatformChart extends Chart {
  /** The PriorityClass the services should reference. */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: PlatformChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true });
    const owner = `PlatformChart "${id}"`;
    this.priorityClassName = props.priorityClassName ?? 'aviary-web';
    checkDnsSubdomain(owner, 'priorityClassName', this.priorityClassName);
    const priority = props.priority ?? 100000;
    // Values above 1e9 are reserved for system-cluster-critical and system-node-critical.
    checkInteger(owner, 'priority', priority, 0, 1_000_000_000);
    const replicas = props.storageReplicas ?? 3;
    checkInteger(owner, 'storageReplicas', replicas, 1, 20);

    new k8s.KubePriorityClass(this, 'PriorityClass', {
      metadata: { name: this.priorityClassName },
      value: priority,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: 'Aviary web services: ahead of batch work, behind cluster components.',
    });
    new k8s.KubeStorageClass(this, 'Longhorn', {
      metadata: { name: 'longhorn' },
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
