/**
 * Issue 19, point 5b: the topology spread of the services' pods counts one ReplicaSet at a time,
 * whichever controller runs them. `matchLabelKeys` adds the incoming pod's value of each key to
 * the constraint's selector, and skips a key the pod does not carry (kubernetes/kubernetes
 * release-1.28 pkg/scheduler/framework/plugins/podtopologyspread/common.go,
 * newTopologySpreadConstraint). A Deployment labels its pods `pod-template-hash`
 * (pkg/apis/apps DefaultDeploymentUniqueLabelKey); a Rollout that takes the Deployment's template
 * over (`workloadRef`) labels them `rollouts-pod-template-hash` instead (argoproj/argo-rollouts
 * v1.9.1 pkg/apis/rollouts/v1alpha1/types.go, DefaultRolloutUniqueLabelKey).
 */
import { describe, expect, it } from 'vitest';
import type { Deployment, KubeObject } from '../support/k8s-types.js';
import { loadManifests, mutate, ofKind, type Manifest } from '../support/manifests.js';
import type { Rollout } from './support/rollout-references.js';

const DEPLOYMENT_HASH = 'pod-template-hash';
const ROLLOUT_HASH = 'rollouts-pod-template-hash';

/** Each spread constraint of a pod template lacking the hash key of a controller that runs it. */
function spreadProblems(manifests: readonly Manifest[]): string[] {
  const rollouts = ofKind<Rollout>(manifests, 'Rollout');
  return ofKind<Deployment>(manifests, 'Deployment').flatMap((deployment) => {
    const takenOver = rollouts.some(
      (r) =>
        r.spec.workloadRef?.kind === 'Deployment' &&
        r.spec.workloadRef.name === deployment.metadata.name &&
        r.metadata.namespace === deployment.metadata.namespace,
    );
    const keys = takenOver ? [DEPLOYMENT_HASH, ROLLOUT_HASH] : [DEPLOYMENT_HASH];
    return (deployment.spec.template.spec.topologySpreadConstraints ?? []).flatMap((t) =>
      keys
        .filter((key) => !(t.matchLabelKeys ?? []).includes(key))
        .map(
          (key) =>
            `${deployment.metadata.name}: spread over ${t.topologyKey} ignores ${key}, so it counts old and new pods together`,
        ),
    );
  });
}

const manifests = loadManifests();

describe('topology spread per ReplicaSet, for Deployment and Rollout pods', () => {
  it('names the hash label of every controller that runs the template', () => {
    expect(spreadProblems(manifests)).toEqual([]);
  });

  it("fails on a template taken over by a Rollout that names only the Deployment's hash", () => {
    const broken = mutate<KubeObject & Deployment>(manifests, 'Deployment', 'bird', (d) => {
      for (const t of d.spec.template.spec.topologySpreadConstraints ?? []) {
        t.matchLabelKeys = [DEPLOYMENT_HASH];
      }
    });
    expect(spreadProblems(broken)).toContainEqual(
      expect.stringMatching(/^bird: .* ignores rollouts-pod-template-hash/),
    );
  });
});
