import type { Deployment, KubeObject } from '../../support/k8s-types.js';
import { describeObject, ofKind, type Manifest } from '../../support/manifests.js';
import { containersOf, ref } from './workloads.js';

/** Kinds without a namespace; every other kind the charts emit is namespaced. */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PriorityClass',
  'StorageClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'IngressClass',
  'PersistentVolume',
]);

/**
 * Mistakes that would put secrets in Git, leave pods stuck, or make an object land in the
 * wrong place: Secrets in the output, mandatory Secrets that the output cannot provide,
 * moving image tags, and misplaced or missing namespaces.
 */
export function hygieneProblems(manifests: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const manifest of manifests) {
    const object = manifest.object as KubeObject | null;
    if (!object?.kind) {
      problems.push(`${manifest.file}: an empty document`);
      continue;
    }
    const at = describeObject(manifest);
    if (object.kind === 'Secret') problems.push(`${at}: a Secret must never be committed`);
    if ('status' in object) problems.push(`${at}: carries a status`);
    const namespaced = !CLUSTER_SCOPED.has(object.kind);
    if (namespaced !== (object.metadata.namespace !== undefined)) {
      problems.push(
        `${at}: ${namespaced ? 'has no namespace' : 'is cluster-scoped but has a namespace'}`,
      );
    }
  }
  for (const deployment of ofKind<Deployment>(manifests, 'Deployment')) {
    const at = `Deployment ${ref(deployment)}`;
    for (const volume of deployment.spec.template.spec.volumes ?? []) {
      // The output never holds Secrets: a mandatory one keeps pods in ContainerCreating.
      if (volume.secret && volume.secret.optional !== true) {
        problems.push(`${at}: Secret volume ${volume.name} is not optional`);
      }
    }
    for (const { name, image } of containersOf(deployment)) {
      const tag = /^[^@]+:([\w][\w.-]*)$/.exec(image ?? '')?.[1];
      if (!/@sha256:[0-9a-f]{64}$/.test(image ?? '') && (!tag || tag === 'latest')) {
        problems.push(`${at}: ${name} image ${image} is not pinned to a release`);
      }
    }
  }
  return problems;
}

/** Namespaces with `restricted` enforcement, audit and warning, as Pod Security Admission reads them. */
export function podSecurityAdmissionProblems(manifests: readonly Manifest[]): string[] {
  return ofKind<KubeObject>(manifests, 'Namespace').flatMap((namespace) =>
    ['enforce', 'audit', 'warn']
      .filter(
        (mode) =>
          namespace.metadata.labels?.[`pod-security.kubernetes.io/${mode}`] !== 'restricted',
      )
      .map(
        (mode) => `Namespace ${namespace.metadata.name}: pod-security ${mode} is not restricted`,
      ),
  );
}
