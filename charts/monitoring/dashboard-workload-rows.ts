import { SERVICE_METRICS } from '../../apps/shared/operational-contract.js';
import { CADVISOR_METRICS, KUBE_STATE_METRICS } from './platform-metrics.js';
import {
  RATE,
  timeseries,
  type DashboardScope,
  type PanelBuilder,
  type PanelQuery,
} from './dashboard-panels.js';
import { anyOf, scoped } from './promql.js';

/*
 * The dashboard rows drawn from what Kubernetes reports (kube-state-metrics, cAdvisor) and from
 * the Node.js runtime: whether the services have the pods and resources they need.
 */

/** Replicas against the autoscaler bounds; CPU and memory against requests and limits. */
export function capacity({ namespace, services }: DashboardScope): PanelBuilder[] {
  const metric = scoped(namespace);
  const containers = anyOf('container', services);
  const hpa = (name: string, legend: string): PanelQuery => ({
    expr: `max by (horizontalpodautoscaler) (${metric(name)})`,
    legend: `{{horizontalpodautoscaler}} ${legend}`,
  });
  const resource = (kind: 'requests' | 'limits', name: string): PanelQuery => ({
    expr: `max by (container) (${metric(
      kind === 'requests'
        ? KUBE_STATE_METRICS.containerResourceRequests
        : KUBE_STATE_METRICS.containerResourceLimits,
      `resource="${name}"`,
      containers,
    )})`,
    legend: `{{container}} ${kind === 'requests' ? 'request' : 'limit'}`,
  });
  const cfs = (name: string) => `sum by (pod) (rate(${metric(name, containers)}[${RATE}]))`;
  return [
    timeseries({
      title: 'Replicas and autoscaler bounds',
      description: 'Current and desired replicas between the HPA minimum and maximum.',
      unit: 'none',
      width: 12,
      queries: [
        hpa(KUBE_STATE_METRICS.hpaCurrentReplicas, 'current'),
        hpa(KUBE_STATE_METRICS.hpaDesiredReplicas, 'desired'),
        hpa(KUBE_STATE_METRICS.hpaMinReplicas, 'min'),
        hpa(KUBE_STATE_METRICS.hpaMaxReplicas, 'max'),
      ],
    }),
    timeseries({
      title: 'CPU throttling',
      description:
        'Share of scheduling periods in which a pod hit its CPU limit: latency rises long ' +
        'before the average CPU reaches the limit.',
      unit: 'percentunit',
      width: 12,
      queries: [
        {
          expr: `${cfs(CADVISOR_METRICS.cfsThrottledPeriods)} / ${cfs(CADVISOR_METRICS.cfsPeriods)}`,
          legend: '{{pod}}',
        },
      ],
    }),
    timeseries({
      title: 'CPU per pod, with request and limit',
      description: 'The HPA scales on CPU against the request (target 50 %).',
      unit: 'short',
      width: 12,
      queries: [
        {
          expr: `sum by (pod) (rate(${metric(CADVISOR_METRICS.cpuUsage, containers)}[${RATE}]))`,
          legend: '{{pod}}',
        },
        resource('requests', 'cpu'),
        resource('limits', 'cpu'),
      ],
    }),
    timeseries({
      title: 'Memory per pod, with request and limit',
      description: 'Working set: the kubelet OOM-kills a container that reaches its limit.',
      unit: 'bytes',
      width: 12,
      queries: [
        {
          expr: `sum by (pod) (${metric(CADVISOR_METRICS.memoryWorkingSet, containers)})`,
          legend: '{{pod}}',
        },
        resource('requests', 'memory'),
        resource('limits', 'memory'),
      ],
    }),
  ];
}

/** Availability, restarts and the health of each Node.js process. */
export function pods({ namespace }: DashboardScope): PanelBuilder[] {
  const metric = scoped(namespace);
  return [
    timeseries({
      title: 'Available and desired pods',
      description: 'A gap that lasts is pods that cannot start or never get ready.',
      unit: 'none',
      width: 12,
      queries: [
        {
          expr: `sum by (deployment) (${metric(KUBE_STATE_METRICS.deploymentAvailableReplicas)})`,
          legend: '{{deployment}} available',
        },
        {
          expr: `sum by (deployment) (${metric(KUBE_STATE_METRICS.deploymentSpecReplicas)})`,
          legend: '{{deployment}} desired',
        },
      ],
    }),
    timeseries({
      title: 'Container restarts in 30 minutes',
      description: 'AviaryContainerRestarting fires above 2 (the dashed line).',
      unit: 'none',
      width: 12,
      threshold: 2,
      queries: [
        {
          expr: `max by (pod, container) (increase(${metric(KUBE_STATE_METRICS.containerRestarts)}[30m]))`,
          legend: '{{pod}} {{container}}',
        },
      ],
    }),
    timeseries({
      title: 'Event loop lag p99',
      description:
        'Time callbacks wait for the Node.js event loop: CPU starvation or blocking code.',
      unit: 's',
      width: 12,
      queries: [
        { expr: `max by (pod) (${metric(SERVICE_METRICS.eventLoopLagP99)})`, legend: '{{pod}}' },
      ],
    }),
    timeseries({
      title: 'Heap used',
      description: 'V8 heap in use per pod: a steady climb across hours is a leak.',
      unit: 'bytes',
      width: 12,
      queries: [
        { expr: `max by (pod) (${metric(SERVICE_METRICS.heapSizeUsed)})`, legend: '{{pod}}' },
      ],
    }),
  ];
}
