/**
 * The label Argo Rollouts puts on every pod of a Rollout, with the hash of its pod template: a
 * canary's pods carry one value, the stable pods another (dist/rollouts/, docs/releasing.md).
 */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * Pod labels every ServiceMonitor copies onto its targets (`podTargetLabels`), so each series
 * says which release (`app_kubernetes_io_version`) and which pod template of a Rollout
 * (`rollouts_pod_template_hash`) served it: errors split by release, and a canary's analysis
 * reads the canary's pods only. Pods of a plain Deployment lack the hash label; Prometheus then
 * adds no label.
 */
export const POD_TARGET_LABELS: readonly string[] = [
  'app.kubernetes.io/version',
  POD_TEMPLATE_HASH_LABEL,
];

/**
 * The label name Prometheus gives a pod label copied by `podTargetLabels`: prometheus-operator
 * (v0.93.0, `sanitizeLabelName`) replaces every character outside `[a-zA-Z0-9_]` with `_`.
 */
export function targetLabelName(podLabel: string): string {
  return podLabel.replace(/[^a-zA-Z0-9_]/g, '_');
}
