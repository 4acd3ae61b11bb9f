import { k8s } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { NamespacedChart } from './constructs/namespaced-chart.js';
import { failProp } from './constructs/props.js';
import type { WebService } from './constructs/web-service.js';
import {
  CONTRACT_CHECK_NAME,
  CONTRACT_CHECK_SCRIPT,
  contractCheckJobSpec,
  contractCheckLabels,
} from './contract-check-pod.js';
import type { AviaryEnvironment } from './environments.js';

/** Props of {@link SyntheticCheckChart}: bird, and the namespace it lives in. */
export interface SyntheticCheckChartProps extends Pick<AviaryEnvironment, 'namespace'> {
  /** bird: the check runs in its image (same release) and calls it through its Service. */
  readonly bird: WebService;
  /** A cron schedule. @default every 5 minutes */
  readonly schedule?: string;
}

/** Name of the CronJob, its pods' `app.kubernetes.io/name` and its NetworkPolicy. */
export const SYNTHETIC_CHECK_NAME = CONTRACT_CHECK_NAME;

/** The check's entry point in bird's image (built from apps/bird/contract-check/main.ts). */
export const SYNTHETIC_CHECK_SCRIPT = CONTRACT_CHECK_SCRIPT;

/**
 * A synthetic check: every few minutes a Job calls bird through its Service, as a client would,
 * and fails when the answer breaks the contract. kube-state-metrics reports failed Jobs; the
 * alert `AviarySyntheticCheckFailing` (dist/monitoring/) turns them into a page. The pod is
 * built for the namespace's guard rails: the restricted Pod Security profile, requests and
 * limits within the LimitRange (the quota needs both), and NetworkPolicies that open exactly
 * the one connection it makes. Built-in kinds only: it is part of `kubectl apply -f dist`.
 */
export class SyntheticCheckChart extends NamespacedChart {
  /** Pods it runs at once: one Job at a time (`concurrencyPolicy: Forbid`), never retried. */
  public readonly maxPods = 1;

  constructor(scope: Construct, id: string, props: SyntheticCheckChartProps) {
    super(scope, id, 'SyntheticCheckChart', props);
    const owner = this.owner;
    const schedule = props.schedule ?? '*/5 * * * *';
    if (schedule.trim().split(/\s+/).length !== 5) {
      failProp(owner, 'schedule', schedule, 'use a five-field cron schedule such as "*/5 * * * *"');
    }
    const { bird } = props;
    // Objects and pods are labelled like bird's; the policies select by `selector` only, so the
    // canary analysis's check pods (charts/rollouts/contract-check-metric.ts) pass them too.
    const { selector, labels } = contractCheckLabels(bird);

    // cdk8s-plus-27's CronJob cannot set seccomp or drop ALL capabilities: a `k8s` L1 object.
    new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name: SYNTHETIC_CHECK_NAME, labels },
      spec: {
        schedule,
        timeZone: 'Etc/UTC',
        // A check still running when the next is due is itself a finding; never pile them up.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 120,
        successfulJobsHistoryLimit: 1,
        // Kept for `kubectl logs`: the failed Job's pod says what broke. No retry
        // (`backoffLimit: 0`): a failed check is a failed Job, and the alert wants two in a row.
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels }, spec: contractCheckJobSpec(bird, bird.url) },
      },
    });

    // Both ends of the one connection, out of the check's pods and into bird's. DNS is the
    // namespace's allow-dns.
    bird.allowFrom({ scope: this, name: SYNTHETIC_CHECK_NAME, selector, labels });
  }
}
