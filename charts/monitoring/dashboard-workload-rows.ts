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
    expr: `max by (horizontalpodautoscaler) (${metric(`kube_horizontalpodautoscaler_${name}`)})`,
    legend: `{{horizontalpodautoscaler}} ${legend}`,
  });
  const resource = (kind: 'requests' | 'limits', name: string): PanelQuery => ({
    expr: `max by (container) (${metric(`kube_pod_container_resource_${kind}`, `resource="${name}"`, containers)})`,
    legend: `{{container}} ${kind === 'requests' ? 'request' : 'limit'}`,
  });
  const cfs = (name: string) =>
    `sum by (pod) (rate(${metric(`container_cpu_cfs_${name}_total`, containers)}[${RATE}]))`;
  return [
    timeseries({
      title: 'Replicas and autoscaler bounds',
      description: 'Current and desired replicas between the HPA minimum and maximum.',
      unit: 'none',
      width: 12,
      queries: [
        hpa('status_current_replicas', 'current'),
        hpa('status_desired_replicas', 'desired'),
        hpa('spec_min_replicas', 'min'),
        hpa('spec_max_replicas', 'max'),
      ],
    }),
    timeseries({
      title: 'CPU throttling',
      description:
        'Share of scheduling periods in which a pod hit its CPU limit: latency rises long ' +
        'before the average CPU reaches the limit.',
      unit: 'percentunit',
      width: 12,
      queries: [{ expr: `${cfs('throttled_periods')} / ${cfs('periods')}`, legend: '{{pod}}' }],
    }),
    timeseries({
      title: 'CPU per pod, with request and limit',
      description: 'The HPA scales on CPU against the request (target 50 %).',
      unit: 'short',
      width: 12,
      queries: [
        {
          expr: `sum by (pod) (rate(${metric('container_cpu_usage_seconds_total', containers)}[${RATE}]))`,
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
          expr: `sum by (pod) (${metric('container_memory_working_set_bytes', containers)})`,
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
          expr: `sum by (deployment) (${metric('kube_deployment_status_replicas_available')})`,
          legend: '{{deployment}} available',
        },
        {
          expr: `sum by (deployment) (${metric('kube_deployment_spec_replicas')})`,
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
          expr: `max by (pod, container) (increase(${metric('kube_pod_container_status_restarts_total')}[30m]))`,
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
        { expr: `max by (pod) (${metric('nodejs_eventloop_lag_p99_seconds')})`, legend: '{{pod}}' },
      ],
    }),
    timeseries({
      title: 'Heap used',
      description: 'V8 heap in use per pod: a steady climb across hours is a leak.',
      unit: 'bytes',
      width: 12,
      queries: [
        { expr: `max by (pod) (${metric('nodejs_heap_size_used_bytes')})`, legend: '{{pod}}' },
      ],
    }),
  ];
}
