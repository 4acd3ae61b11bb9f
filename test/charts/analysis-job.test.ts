import { describe, expect, it } from 'vitest';
import { CONTRACT_CHECK_SCRIPT } from '../../charts/contract-check-pod.js';
import { CONTRACT_CHECK_OBJECTIVE } from '../../charts/rollouts/contract-check-metric.js';
import { addOnPodProblems, ingressAllowed } from './support/admission.js';
import { analysisJobPods, type AnalysisJobPod } from './support/analysis-jobs.js';
import type { Deployment, Service } from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';
import { egressDestinations } from './support/network.js';
import type { AnalysisTemplate } from './support/rollout-references.js';
import { selects } from './support/workloads.js';

/*
 * Issue 19, 5a: a canary is promoted on evidence only. Each Rollout's background analysis runs
 * bird's contract check as a Job (Argo Rollouts' `job` provider) against bird's canary Service;
 * the Job's pod must be admitted where Argo Rollouts creates it: the Rollout's namespace
 * (argo-rollouts v1.9.1 metricproviders/job/job.go, `newMetricJob`: `ns := run.Namespace`, the
 * pod template as written). Argo Rollouts creates it with its own ClusterRole (v1.9.1
 * manifests/role/argo-rollouts-clusterrole.yaml grants batch jobs create), not the GitOps one.
 */

const manifests = loadManifests();
const deployment = (name: string) =>
  ofKind<Deployment>(manifests, 'Deployment').find((d) => d.metadata.name === name)!;
const bird = deployment('bird');
const birdPort = bird.spec.template.spec.containers[0]!.ports![0]!.containerPort;
const checkPods = (all: readonly Manifest[] = manifests) =>
  analysisJobPods(all).filter((pod) => pod.metric === CONTRACT_CHECK_OBJECTIVE);

/** Where the check connects: the Service its `BIRD_URL` names, and the pods that Service selects. */
function target(pod: AnalysisJobPod): { service: Service; pods: Deployment[] } {
  const url = pod.spec.containers[0]!.env!.find((e) => e.name === 'BIRD_URL')!.value!;
  const name = new URL(url).hostname;
  const service = ofKind<Service>(manifests, 'Service').find(
    (s) => s.metadata.name === name && s.metadata.namespace === pod.namespace,
  )!;
  expect(service, `no Service ${name} for ${url}`).toBeDefined();
  const pods = ofKind<Deployment>(manifests, 'Deployment').filter((d) =>
    selects({ matchLabels: service.spec.selector }, d.spec.template.metadata?.labels ?? {}),
  );
  return { service, pods };
}

/** The check pod as the NetworkPolicy helpers read a workload. */
const asWorkload = (pod: AnalysisJobPod) =>
  ({
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: { name: pod.name, namespace: pod.namespace },
    spec: { template: { metadata: { labels: pod.labels }, spec: pod.spec } },
  }) as unknown as Deployment;

describe("the canary analyses' contract check Job", () => {
  it('runs in both Rollouts, in bird’s image and command, against the canary Service', () => {
    const pods = checkPods();
    expect(pods.map((p) => p.rollout).sort()).toEqual(['bird', 'bird-image']);
    for (const pod of pods) {
      const [container] = pod.spec.containers;
      expect(container!.image).toBe(bird.spec.template.spec.containers[0]!.image);
      expect(container!.command).toEqual(['node', CONTRACT_CHECK_SCRIPT]);
      // The canary Service, which during bird's release selects its canary pods only.
      expect(target(pod).service.metadata.name).toBe('bird-canary');
      expect(target(pod).pods.map((d) => d.metadata.name)).toEqual(['bird']);
      // A failed check is a failed measurement: never retried into a pass.
      expect(pod.backoffLimit).toBe(0);
    }
  });

  it('measures every minute from the start and fails the analysis on the second failed check', () => {
    const template = ofKind<AnalysisTemplate>(manifests, 'AnalysisTemplate').find(
      (t) => t.metadata.name === CONTRACT_CHECK_OBJECTIVE,
    )!;
    // argo-rollouts v1.9.1 analysis/analysis.go: Failed once failed measurements > failureLimit.
    expect(template.spec.metrics[0]).toMatchObject({ interval: '1m', failureLimit: 1 });
    expect(template.spec.metrics[0]).not.toHaveProperty('initialDelay');
  });

  it('passes Pod Security (restricted), the LimitRange and the quota as Argo Rollouts creates it', () => {
    for (const pod of checkPods()) expect(addOnPodProblems(manifests, pod, [], [])).toEqual([]);
  });

  it('is let through the NetworkPolicies both ways: out to bird, into bird', () => {
    for (const pod of checkPods()) {
      expect(egressDestinations(manifests, asWorkload(pod))).toEqual([
        'kube-dns → 53',
        'pods bird → http',
      ]);
      const birdPod = { namespace: pod.namespace, labels: bird.spec.template.metadata!.labels! };
      expect(ingressAllowed(manifests, birdPod, birdPort, pod)).toBe(true);
    }
  });

  describe('is refused, and the analysis never gets its evidence, when', () => {
    const withTemplate = (change: (t: AnalysisTemplate) => void) =>
      checkPods(
        mutate<AnalysisTemplate>(manifests, 'AnalysisTemplate', CONTRACT_CHECK_OBJECTIVE, change),
      );

    it('its pod leaves out the seccomp profile', () => {
      const [pod] = withTemplate((t) => {
        delete t.spec.metrics[0]!.provider.job!.spec.template.spec.securityContext!.seccompProfile;
      });
      expect(addOnPodProblems(manifests, pod!, [], [])).toContainEqual(
        expect.stringMatching(/container check has seccomp undefined/),
      );
    });

    it('its pod does not carry the labels bird admits', () => {
      const [pod] = withTemplate((t) => {
        t.spec.metrics[0]!.provider.job!.spec.template.metadata!.labels!['app.kubernetes.io/name'] =
          'analysis';
      });
      const birdPod = { namespace: pod!.namespace, labels: bird.spec.template.metadata!.labels! };
      expect(ingressAllowed(manifests, birdPod, birdPort, pod!)).toBe(false);
      expect(egressDestinations(manifests, asWorkload(pod!))).not.toContain('pods bird → http');
    });

    it('bird has no policy admitting the contract check', () => {
      const policy = ofKind(manifests, 'NetworkPolicy').find((p) =>
        p.metadata.name.endsWith('-allow-bird-contract-check'),
      )!;
      const without = manifests.filter((m) => m.object !== policy);
      const birdPod = { namespace: 'aviary', labels: bird.spec.template.metadata!.labels! };
      expect(ingressAllowed(without, birdPod, birdPort, checkPods()[0]!)).toBe(false);
    });
  });
});
