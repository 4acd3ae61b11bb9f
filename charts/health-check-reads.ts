import type { ApiKind } from './constructs/deployer-role.js';

/**
 * What Flux's health checks read besides the objects themselves: kstatus (fluxcd/cli-utils
 * v1.2.2, which kustomize-controller v1.9 uses) computes a Deployment's status from its
 * ReplicaSets, and a ReplicaSet's or StatefulSet's from its Pods, listing them by the owner's
 * selector in its namespace (pkg/kstatus/polling/statusreaders/deployment.go, replicaset.go,
 * statefulset.go; the same pairs as `genGroupKinds` in
 * pkg/kstatus/polling/clusterreader/caching_reader.go). Every other kind is read alone.
 */
const GENERATED: Readonly<Record<string, readonly ApiKind[]>> = {
  'apps/Deployment': [{ group: 'apps', kind: 'ReplicaSet' }],
  'apps/ReplicaSet': [{ group: '', kind: 'Pod' }],
  'apps/StatefulSet': [{ group: '', kind: 'Pod' }],
};

/**
 * The kinds, other than `kinds`, that the health checks of objects of `kinds` list: an identity
 * that applies `kinds` and waits for them needs to read these, or every status stays `Unknown`.
 */
export function healthCheckReads(kinds: readonly ApiKind[]): ApiKind[] {
  const key = (kind: ApiKind) => `${kind.group}/${kind.kind}`;
  const held = new Set(kinds.map(key));
  const found = new Map<string, ApiKind>();
  const visit = (kind: ApiKind) => {
    for (const generated of GENERATED[key(kind)] ?? []) {
      if (found.has(key(generated)) || held.has(key(generated))) continue;
      found.set(key(generated), generated);
      visit(generated);
    }
  };
  kinds.forEach(visit);
  return [...found.values()];
}
