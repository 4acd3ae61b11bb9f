import type { Construct } from 'constructs';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import {
  VerticalPodAutoscaler,
  VerticalPodAutoscalerSpecUpdatePolicyUpdateMode,
} from '../imports/vpa-autoscaling.k8s.io.js';
import { failProp } from './constructs/props.js';
import type { WebService } from './constructs/web-service.js';
import type { AviaryEnvironment } from './environments.js';

/** Props of {@link VpaChart}: the services and their namespace. */
export interface VpaChartProps extends Pick<AviaryEnvironment, 'namespace'> {
  /** The services to recommend requests for. */
  readonly services: readonly WebService[];
}

/**
 * VerticalPodAutoscalers in recommender mode (optional layer, `dist/vpa/`): the VPA recommender
 * writes what each container really uses into the object's status, and never evicts or resizes a
 * pod (`updateMode: "Off"`). An updating VPA would fight the HorizontalPodAutoscalers, which scale
 * on CPU utilization, a share of the very requests the VPA would change. docs/releasing.md,
 * "Reading the VPA's recommendations", says how to read them.
 */
export class VpaChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: VpaChartProps) {
    super(scope, id, 'VpaChart', props);
    const owner = this.owner;
    if (props.services.length === 0) {
      failProp(owner, 'services', [], 'give the WebServices to recommend requests for');
    }
    for (const service of props.services) {
      new VerticalPodAutoscaler(this, service.name, {
        metadata: { name: service.name, labels: { ...service.labels } },
        spec: {
          // The recommender finds the pods through this Deployment's selector, so its Rollout's
          // pods (same labels) count too once Argo Rollouts has taken it over.
          targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: service.name },
          updatePolicy: { updateMode: VerticalPodAutoscalerSpecUpdatePolicyUpdateMode.OFF },
          resourcePolicy: {
            containerPolicies: [
              { containerName: service.name, controlledResources: ['cpu', 'memory'] },
            ],
          },
        },
      });
    }
  }
}
