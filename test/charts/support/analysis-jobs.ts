import type { AddOnPod } from './addons.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import type { AnalysisTemplate, Rollout } from './rollout-references.js';

/** A pod of an analysis's `job` metric, as Argo Rollouts creates it for one Rollout. */
export interface AnalysisJobPod extends AddOnPod {
  /** The Rollout whose AnalysisRun runs it, and the metric. */
  readonly rollout: string;
  readonly metric: string;
  readonly backoffLimit?: number;
}

/**
 * The pods the `job` metrics of each Rollout's background analysis run in its namespace: one at a
 * time per metric. Argo Rollouts v1.9.1 (metricproviders/job/job.go, `newMetricJob`) creates the
 * Job in the AnalysisRun's namespace (the Rollout's) from the metric's `spec` as written, adding
 * only a label and annotations on the Job itself, so the pod carries the template's labels; and
 * analysis/analysis.go starts a metric's next measurement only after the last one completed.
 */
export function analysisJobPods(manifests: readonly Manifest[]): AnalysisJobPod[] {
  const templates = ofKind<AnalysisTemplate>(manifests, 'AnalysisTemplate');
  return ofKind<Rollout>(manifests, 'Rollout').flatMap((rollout) => {
    const namespace = rollout.metadata.namespace!;
    const names = rollout.spec.strategy.canary?.analysis?.templates ?? [];
    return names.flatMap(({ templateName }) => {
      const template = templates.find(
        (t) => t.metadata.name === templateName && t.metadata.namespace === namespace,
      );
      return (template?.spec.metrics ?? []).flatMap((metric) => {
        const job = metric.provider.job;
        if (!job) return [];
        return [
          {
            name: `${rollout.metadata.name}/${metric.name}`,
            rollout: rollout.metadata.name,
            metric: metric.name,
            namespace,
            labels: job.spec.template.metadata?.labels ?? {},
            spec: job.spec.template.spec,
            backoffLimit: job.spec.backoffLimit,
          },
        ];
      });
    });
  });
}
