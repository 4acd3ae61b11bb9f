/**
 * Pods a Deployment or Rollout may run above its desired count while it replaces pods
 * (`maxSurge`): both strategies add a pod before they remove one.
 */
export const SURGE_PODS = 1;

/**
 * cert-manager's HTTP-01 solver pods in the namespace at once: one per domain being validated,
 * and a renewal may overlap a new order.
 */
export const ACME_SOLVER_PODS = 2;

/**
 * The most pods the namespace runs at once, the bound its quota allows. At the autoscalers'
 * maximum, each service runs twice its maximum: when a Rollout takes its Deployment over
 * (`workloadRef`, `scaleDown: onsuccess`), Argo Rollouts v1.9.1 scales the Deployment to 0 only
 * once the Rollout is healthy (rollout/sync.go), and a canary at 100 % runs beside as many stable
 * pods; a rolling update's surge stays below that. Then each pod of `jobs` (one each:
 * `concurrencyPolicy: Forbid`) and the solvers.
 */
export function peakPods(
  services: readonly { readonly autoscaling: { readonly replicas: { readonly max: number } } }[],
  jobs: number,
): number {
  const perService = services.map(({ autoscaling: { replicas } }) => peakServicePods(replicas.max));
  return perService.reduce((sum, pods) => sum + pods, 0) + jobs + ACME_SOLVER_PODS;
}

/**
 * The most pods of one service at once, for an autoscaler's maximum `max`: twice it while a
 * Rollout takes the Deployment over (see {@link peakPods}), never less than a rolling update's
 * `max` plus its surge.
 */
export function peakServicePods(max: number): number {
  return Math.max(2 * max, max + SURGE_PODS);
}
