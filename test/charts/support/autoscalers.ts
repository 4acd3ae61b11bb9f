/**
 * Which autoscalers a cluster holds for each combination of layers it can really hold, and the
 * rules the controllers that act on them set.
 *
 * - Kubernetes' HPA controller (kubernetes/kubernetes, pkg/controller/podautoscaler/horizontal.go,
 *   `validateAndParseSelector` and `hpasControllingPodsUnderSelector` over the controller's map
 *   of every autoscaler's selector; added by kubernetes/kubernetes#112011 for v1.26, so in every
 *   version the project validates against, v1.27.0 on): when the pods an autoscaler's target
 *   selects are also selected by another autoscaler's target, it sets `ScalingActive=False`,
 *   `AmbiguousSelector`, on each and scales none of them. Every autoscaler needs its target: without
 *   it the controller cannot read the scale (`FailedGetScale`).
 * - Argo Rollouts (argoproj/argo-rollouts v1.9.1, rollout/sync.go, the `revision == 1` branch
 *   with `ScaleDownOnSuccess`, and rollout/scale_utils.go `scaleDeployment`): a Rollout with a
 *   `workloadRef` scales the Deployment it takes over to 0 once, after its first release, and
 *   never back. An autoscaler of that Deployment either fights it or sits disabled while keeping
 *   its selector registered, so the autoscaler must target the Rollout and only the Rollout.
 * - The API server lets an autoscaler's `scaleTargetRef` change in place (kubernetes/kubernetes,
 *   pkg/apis/autoscaling/validation/validation.go, `ValidateHorizontalPodAutoscalerUpdate`
 *   validates the new spec as a creation, with no immutable field): applying the rollouts folder
 *   after the top level retargets the autoscalers of the same names.
 */
import type { KubeObject, LabelSelector } from '../../support/k8s-types.js';
import { argoSyncedFiles, fluxSyncedFiles } from './layout.js';
import { ofKind, type Manifest } from '../../support/manifests.js';
import { scaleTargetOf } from './workloads.js';

/** The objects a cluster holds after one way of applying the output. */
export interface LayerCombination {
  /** How the objects got there, e.g. `kubectl apply -f dist -f dist/rollouts`. */
  readonly name: string;
  readonly manifests: readonly Manifest[];
}

interface Autoscaler extends KubeObject {
  spec: { scaleTargetRef: { apiVersion?: string; kind: string; name: string } };
}

interface Workload extends KubeObject {
  spec: {
    selector?: LabelSelector;
    workloadRef?: { apiVersion?: string; kind?: string; name?: string };
  };
}

/** Who holds an object on the API server: the same group, kind, namespace and name is one object. */
function identity({ apiVersion, kind, metadata }: KubeObject): string {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${group}/${kind}/${metadata.namespace ?? ''}/${metadata.name}`;
}

/** `later` applied over `earlier`: an object of the same identity is replaced, as kubectl does. */
function applyOver(earlier: readonly Manifest[], later: readonly Manifest[]): Manifest[] {
  const replaced = new Set(later.map((m) => identity(m.object)));
  return [...earlier.filter((m) => !replaced.has(identity(m.object))), ...later];
}

/**
 * The combinations of layers a cluster can hold: the top level alone and with the rollouts
 * folder applied after it (`kubectl apply` does not recurse: each folder is named), and what all
 * GitOps units of each controller sync together. Two units that apply one object both keep it:
 * {@link autoscalerProblems} then sees two autoscalers.
 */
export function layerCombinations(
  files: readonly string[],
  manifests: readonly Manifest[],
  distPath: string,
  rolloutsFolder: string,
): LayerCombination[] {
  const inFolder = (folder: string) =>
    manifests.filter(
      (m) => m.file.startsWith(`${folder}/`) && !m.file.slice(folder.length + 1).includes('/'),
    );
  const topLevel = manifests.filter((m) => !m.file.includes('/'));
  const combinations: LayerCombination[] = [
    { name: `kubectl apply -f ${distPath}`, manifests: topLevel },
    {
      name: `kubectl apply -f ${distPath} -f ${distPath}/${rolloutsFolder}`,
      manifests: applyOver(topLevel, inFolder(rolloutsFolder)),
    },
  ];
  const synced = (fileLists: string[][]) =>
    fileLists.flatMap((list) => manifests.filter((m) => list.includes(m.file)));
  const applications = ofKind<KubeObject>(manifests, 'Application');
  if (applications.length > 0) {
    combinations.push({
      name: 'Argo CD, every Application',
      manifests: synced(applications.map((app) => argoSyncedFiles(files, app, distPath))),
    });
  }
  const kustomizations = ofKind<KubeObject>(manifests, 'Kustomization');
  if (kustomizations.length > 0) {
    combinations.push({
      name: 'Flux, every Kustomization',
      manifests: synced(
        kustomizations.map((k) => fluxSyncedFiles(files, manifests, k)?.files ?? []),
      ),
    });
  }
  return combinations;
}

/** Whether some pod can carry labels that both selectors match (matchLabels only). */
function overlap(a: LabelSelector, b: LabelSelector): boolean {
  const left = a.matchLabels ?? {};
  const right = b.matchLabels ?? {};
  return Object.entries(left).every(([key, value]) => !(key in right) || right[key] === value);
}

/**
 * What breaks autoscaling in one combination: an autoscaler whose target is missing, one that
 * scales a Deployment a Rollout takes over, and two whose targets select one pod.
 */
export function autoscalerProblems({ name, manifests }: LayerCombination): string[] {
  const problems: string[] = [];
  const rollouts = ofKind<Workload>(manifests, 'Rollout');
  const scaled: { hpa: string; namespace?: string; selector: LabelSelector }[] = [];
  for (const hpa of ofKind<Autoscaler>(manifests, 'HorizontalPodAutoscaler')) {
    const ref = hpa.spec.scaleTargetRef;
    const at = `${name}: HorizontalPodAutoscaler ${hpa.metadata.namespace}/${hpa.metadata.name}`;
    const target = scaleTargetOf<Workload>(manifests, hpa);
    if (!target) {
      problems.push(`${at}: scales ${ref.kind} ${ref.name}, which this combination does not hold`);
      continue;
    }
    const takenOver = rollouts.find(
      (r) =>
        r.metadata.namespace === target.metadata.namespace &&
        r.spec.workloadRef?.kind === target.kind &&
        r.spec.workloadRef.name === target.metadata.name,
    );
    if (takenOver) {
      problems.push(
        `${at}: scales ${ref.kind} ${ref.name}, which Rollout ${takenOver.metadata.name} takes over`,
      );
    }
    if (target.spec.selector?.matchExpressions?.length) {
      problems.push(
        `${at}: its target selects with matchExpressions, which this check cannot compare`,
      );
    }
    const selector = target.spec.selector ?? {};
    for (const other of scaled) {
      if (other.namespace === hpa.metadata.namespace && overlap(selector, other.selector)) {
        problems.push(`${at} and ${other.hpa} scale the same pods`);
      }
    }
    scaled.push({ hpa: hpa.metadata.name, namespace: hpa.metadata.namespace, selector });
  }
  return problems;
}
