import { k8s } from 'cdk8s-plus-27';
import type { WebService } from '../constructs/web-service.js';
import { contractCheckJobSpec, contractCheckLabels } from '../contract-check-pod.js';

/** Name of the AnalysisTemplate (and metric) whose Job runs bird's contract check on the canary. */
export const CONTRACT_CHECK_OBJECTIVE = 'aviary-contract-check';

/**
 * Contract check pods the canary analyses run at once: Argo Rollouts v1.9.1 runs one
 * measurement of a metric at a time (the next starts `interval` after the last one completed,
 * analysis/analysis.go), and each service's Rollout has one analysis: one pod per Rollout.
 */
export const ANALYSIS_JOB_PODS_PER_ROLLOUT = 1;

/**
 * The `job` provider of the contract check metric (Argo Rollouts v1.9.1, metricproviders/job/job.go):
 * the controller creates this Job in the AnalysisRun's namespace with its own ClusterRole (batch
 * jobs: create, manifests/role/argo-rollouts-clusterrole.yaml), not with the GitOps identity; a
 * Job that completes is a Successful measurement, one that fails is Failed. The pod is the
 * synthetic check's (same image, command, labels, so the same NetworkPolicies admit it), pointed
 * at `canaryUrl`.
 *
 * This is the evidence a canary at quiet hours lacks: at every interval the check calls bird
 * through `canaryUrl` as a client would, which gives the Prometheus objectives requests to judge,
 * and fails the analysis when the answer breaks the contract or never comes (a crashing canary).
 */
export function contractCheckJob(bird: WebService, canaryUrl: string): Record<string, unknown> {
  return {
    metadata: { labels: contractCheckLabels(bird).labels },
    spec: k8s.toJson_JobSpec(contractCheckJobSpec(bird, canaryUrl)),
  };
}
