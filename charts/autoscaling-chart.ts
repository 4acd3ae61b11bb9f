import type { Construct } from 'constructs';
import { NamespacedChart, type NamespacedChartProps } from './constructs/namespaced-chart.js';

/** Id of the {@link AutoscalingChart} and name of the GitOps unit that syncs it. */
export const AUTOSCALING = 'autoscaling';

/**
 * The services' HorizontalPodAutoscalers, each scaling its Deployment, in a file and a GitOps
 * unit of their own (`*-autoscaling.k8s.yaml`): the services pass this chart as their
 * `autoscalerScope`. The rollouts layer (`dist/rollouts/`) holds autoscalers of the same names
 * that scale the Rollouts instead, so applying that layer after the top level retargets each
 * autoscaler rather than adding a second one over the same pods: Kubernetes' HPA controller
 * stops scaling (`AmbiguousSelector`) when two autoscalers select one pod. Which of the two a
 * GitOps unit syncs follows the environment's `progressiveDelivery`.
 */
export class AutoscalingChart extends NamespacedChart {
  constructor(scope: Construct, id: string, props: NamespacedChartProps) {
    super(scope, id, 'AutoscalingChart', props);
  }
}
