import type { k8s } from 'cdk8s-plus-27';
import { restrictedPodSpec } from './constructs/restricted-pod.js';
import type { WebService } from './constructs/web-service.js';
import { type ContainerResources, mebibytes, millicores } from './quantities.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from '../apps/bird/contract-check/config.js';

/** The contract check pods' `app.kubernetes.io/name`, and the name of the synthetic CronJob. */
export const CONTRACT_CHECK_NAME = 'bird-contract-check';

/** The check's entry point in bird's image (built from apps/bird/contract-check/main.ts). */
export const CONTRACT_CHECK_SCRIPT = 'build/apps/bird/contract-check/main.js';

/** How long one check may run before its Job fails: the check's own timeout, and a start-up. */
export const CONTRACT_CHECK_DEADLINE_SECONDS = 60;

/**
 * Requests and limits of the check's container. Ephemeral storage too, as the services set it:
 * the quota caps it, and the check writes nothing but its log lines.
 */
export const CONTRACT_CHECK_RESOURCES: ContainerResources = {
  requests: { cpu: millicores(50), memory: mebibytes(64), ephemeralStorage: mebibytes(16) },
  limits: { cpu: millicores(200), memory: mebibytes(128), ephemeralStorage: mebibytes(64) },
};

/**
 * The labels of every contract check pod (the synthetic CronJob's and the canary analysis's).
 * The NetworkPolicies of {@link CONTRACT_CHECK_NAME} select by the first two only, so any pod
 * carrying them may call bird and nothing else.
 */
export function contractCheckLabels(bird: WebService): {
  selector: Record<string, string>;
  labels: Record<string, string>;
} {
  const selector = {
    'app.kubernetes.io/name': CONTRACT_CHECK_NAME,
    'app.kubernetes.io/part-of': bird.partOf,
  };
  const instance = bird.labels['app.kubernetes.io/instance'];
  return {
    selector,
    labels: { ...selector, ...(instance ? { 'app.kubernetes.io/instance': instance } : {}) },
  };
}

/**
 * The Job of one contract check against `birdUrl`, in bird's image (same release): one pod, never
 * retried (a failed check is a failed Job), built for the namespace's guard rails: the restricted
 * Pod Security profile and requests and limits within the LimitRange (the quota needs both).
 */
export function contractCheckJobSpec(bird: WebService, birdUrl: string): k8s.JobSpec {
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: CONTRACT_CHECK_DEADLINE_SECONDS,
    template: {
      metadata: { labels: contractCheckLabels(bird).labels },
      spec: restrictedPodSpec({
        runAsId: bird.runAsId,
        spec: { restartPolicy: 'Never' },
        containers: [
          {
            name: 'check',
            image: bird.image,
            command: ['node', CONTRACT_CHECK_SCRIPT],
            env: [
              { name: 'BIRD_URL', value: birdUrl },
              { name: 'CHECK_TIMEOUT_MS', value: String(DEFAULT_CHECK_TIMEOUT_MS) },
            ],
            resources: CONTRACT_CHECK_RESOURCES,
          },
        ],
      }),
    },
  };
}
