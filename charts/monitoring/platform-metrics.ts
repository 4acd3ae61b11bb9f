/*
 * Metrics the rules and the dashboard read that the services do not expose (theirs are
 * `SERVICE_METRICS` of apps/shared/operational-contract.ts), each from a component
 * kube-prometheus-stack installs and scrapes. Names follow kube-state-metrics v2, the kubelet's
 * cAdvisor endpoint and cert-manager v1.21.
 */

/** Prometheus's own series, written for every scrape of every target. */
export const PROMETHEUS_METRICS = { up: 'up' } as const;

/** kube-state-metrics: the state of Kubernetes objects. */
export const KUBE_STATE_METRICS = {
  podStatusPhase: 'kube_pod_status_phase',
  podStatusReady: 'kube_pod_status_ready',
  containerRestarts: 'kube_pod_container_status_restarts_total',
  containerResourceRequests: 'kube_pod_container_resource_requests',
  containerResourceLimits: 'kube_pod_container_resource_limits',
  deploymentSpecReplicas: 'kube_deployment_spec_replicas',
  deploymentAvailableReplicas: 'kube_deployment_status_replicas_available',
  hpaMinReplicas: 'kube_horizontalpodautoscaler_spec_min_replicas',
  hpaMaxReplicas: 'kube_horizontalpodautoscaler_spec_max_replicas',
  hpaCurrentReplicas: 'kube_horizontalpodautoscaler_status_current_replicas',
  hpaDesiredReplicas: 'kube_horizontalpodautoscaler_status_desired_replicas',
  jobOwner: 'kube_job_owner',
  jobFailed: 'kube_job_status_failed',
  jobStartTime: 'kube_job_status_start_time',
} as const;

/** cAdvisor, served by the kubelet: what containers actually use. */
export const CADVISOR_METRICS = {
  cpuUsage: 'container_cpu_usage_seconds_total',
  memoryWorkingSet: 'container_memory_working_set_bytes',
  cfsPeriods: 'container_cpu_cfs_periods_total',
  cfsThrottledPeriods: 'container_cpu_cfs_throttled_periods_total',
} as const;

/** cert-manager's gauge of each Certificate's expiry time, in Unix seconds. */
export const CERTIFICATE_EXPIRY_METRIC = 'certmanager_certificate_expiration_timestamp_seconds';
