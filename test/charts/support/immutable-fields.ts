/**
 * Fields the Kubernetes API server refuses to change on an existing object: an apply that changes
 * one fails (`field is immutable`, `may not be changed in an update`, `cannot change roleRef`),
 * and a GitOps controller stops at that object. Facts from kubernetes/kubernetes, the update
 * validation of each kind, unchanged from v1.27 (the oldest release Aviary supports) to master
 * (read at 00447344aba0).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../support/k8s-types.js';

/** One rule: for these kinds, these fields (paths into the object) never change. */
export interface ImmutableFieldRule {
  /** `group/Kind`, `''` as the core group's name, e.g. `apps/Deployment`, `/PersistentVolumeClaim`. */
  readonly kinds: readonly string[];
  readonly fields: readonly (readonly string[])[];
  /** Where the API server enforces it: path and function in kubernetes/kubernetes. */
  readonly source: string;
}

export const IMMUTABLE_FIELD_RULES: readonly ImmutableFieldRule[] = [
  {
    kinds: ['scheduling.k8s.io/PriorityClass'],
    fields: [['value'], ['preemptionPolicy']],
    source: 'pkg/apis/scheduling/validation/validation.go ValidatePriorityClassUpdate',
  },
  {
    kinds: ['storage.k8s.io/StorageClass'],
    fields: [['provisioner'], ['parameters'], ['reclaimPolicy'], ['volumeBindingMode']],
    source: 'pkg/apis/storage/validation/validation.go ValidateStorageClassUpdate',
  },
  {
    kinds: ['apps/Deployment', 'apps/ReplicaSet', 'apps/DaemonSet'],
    fields: [['spec', 'selector']],
    source:
      'pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go ValidateUpdate ' +
      '(apps/v1: "disallow mutation of selector")',
  },
  {
    kinds: ['apps/StatefulSet'],
    fields: [
      ['spec', 'selector'],
      ['spec', 'volumeClaimTemplates'],
      ['spec', 'serviceName'],
    ],
    source:
      'pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate (only replicas, ' +
      'ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and ' +
      'minReadySeconds may change)',
  },
  {
    kinds: ['batch/Job'],
    fields: [
      ['spec', 'selector'],
      ['spec', 'template'],
      ['spec', 'completionMode'],
    ],
    // A CronJob's jobTemplate is not in the list: ValidateCronJobSpecUpdate lets it change,
    // and only the Jobs created afterwards use the new template.
    source: 'pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate',
  },
  {
    kinds: [
      'rbac.authorization.k8s.io/RoleBinding',
      'rbac.authorization.k8s.io/ClusterRoleBinding',
    ],
    fields: [['roleRef']],
    source:
      'pkg/apis/rbac/validation/validation.go ValidateRoleBindingUpdate, ' +
      'ValidateClusterRoleBindingUpdate ("cannot change roleRef")',
  },
  {
    kinds: ['/PersistentVolumeClaim'],
    fields: [
      ['spec', 'storageClassName'],
      ['spec', 'accessModes'],
    ],
    // Only resources.requests (growing) and volumeAttributesClassName may change.
    source: 'pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate',
  },
];

const kindOf = (object: KubeObject) => {
  const slash = object.apiVersion.indexOf('/');
  return `${slash < 0 ? '' : object.apiVersion.slice(0, slash)}/${object.kind}`;
};
const identity = (object: KubeObject) =>
  `${kindOf(object)} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const valueAt = (object: KubeObject, fieldPath: readonly string[]): unknown =>
  fieldPath.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object'
        ? (value as Record<string, unknown>)[key]
        : undefined,
    object,
  );

/**
 * The immutable fields that differ between an object of `before` and the object of the same
 * kind, namespace and name in `after`: each is an update the API server refuses.
 */
export function immutableFieldChanges(
  before: readonly KubeObject[],
  after: readonly KubeObject[],
): string[] {
  const old = new Map(before.map((object) => [identity(object), object]));
  const changes: string[] = [];
  for (const object of after) {
    const previous = old.get(identity(object));
    if (!previous) continue;
    const rule = IMMUTABLE_FIELD_RULES.find((r) => r.kinds.includes(kindOf(object)));
    for (const field of rule?.fields ?? []) {
      const was = valueAt(previous, field);
      const is = valueAt(object, field);
      if (!isDeepStrictEqual(was, is)) {
        changes.push(
          `${identity(object)}: ${field.join('.')} ${JSON.stringify(was)} → ` +
            `${JSON.stringify(is)} (immutable: ${rule!.source})`,
        );
      }
    }
  }
  return changes;
}
