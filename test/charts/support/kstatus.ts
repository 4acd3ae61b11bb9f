/**
 * What Flux's health checks read, as the identity a Kustomization impersonates. kustomize-controller
 * v1.9.4 (fluxcd/kustomize-controller, internal/controller/kustomization_controller.go) builds its
 * status poller from the impersonated client, and by default (feature DisableStatusPollerCache,
 * main.go) reads directly: a Get of each applied object, and for the kinds whose status is
 * computed from the objects they generate, a List of those in the object's namespace by its
 * selector. The pairs are fluxcd/cli-utils v1.2.2's (read at 967855f):
 * pkg/kstatus/polling/statusreaders/default.go wires deploymentResourceReader → ReplicaSets
 * (deployment.go), replicaSetStatusReader → Pods (replicaset.go), statefulSetResourceReader →
 * Pods (statefulset.go); pkg/kstatus/polling/clusterreader/caching_reader.go lists the same
 * pairs (`genGroupKinds`) for the caching reader. Every other kind goes to the generic reader,
 * which reads the object alone.
 */
import type { KubeObject } from '../../support/k8s-types.js';
import { fluxBuild } from './flux-build.js';
import { ofKind, type Manifest } from '../../support/manifests.js';

/** `group/Kind` → the `group/Kind`s its status reader lists. */
export const KSTATUS_GENERATED: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['apps/ReplicaSet'],
  'apps/ReplicaSet': ['/Pod'],
  'apps/StatefulSet': ['/Pod'],
};

/** The `group/Kind`s kstatus lists for objects of `applied`, transitively, beyond `applied`. */
export function kstatusReads(applied: readonly string[]): string[] {
  const found = new Set<string>();
  const visit = (gk: string) => {
    for (const generated of KSTATUS_GENERATED[gk] ?? []) {
      if (found.has(generated)) continue;
      found.add(generated);
      visit(generated);
    }
  };
  applied.forEach(visit);
  return [...found].filter((gk) => !applied.includes(gk)).sort();
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

const groupKind = (o: KubeObject) =>
  `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`;
const resource = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};

/** Whether one of `rules` allows `verb` on `group/Kind`. */
export function allows(rules: readonly PolicyRule[], gk: string, verb: string): boolean {
  const [group, kind] = gk.split('/') as [string, string];
  return rules.some(
    (rule) =>
      (rule.apiGroups ?? []).some((g) => g === group || g === '*') &&
      (rule.resources ?? []).some((r) => r === resource(kind) || r === '*') &&
      (rule.verbs ?? []).some((v) => v === verb || v === '*'),
  );
}

/** The rules of the Roles and ClusterRoles `account` is bound to in `namespace`. */
export function rulesOf(
  manifests: readonly Manifest[],
  account: { name: string; namespace: string },
  namespace: string,
): PolicyRule[] {
  type Binding = KubeObject & {
    roleRef: { kind: string; name: string };
    subjects?: { kind: string; name: string; namespace?: string }[];
  };
  const bindings = [
    ...ofKind<Binding>(manifests, 'RoleBinding').filter((b) => b.metadata.namespace === namespace),
    ...ofKind<Binding>(manifests, 'ClusterRoleBinding'),
  ].filter((b) =>
    (b.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' && s.name === account.name && s.namespace === account.namespace,
    ),
  );
  return bindings.flatMap((binding) => {
    const role = ofKind<KubeObject & { rules?: PolicyRule[] }>(
      manifests,
      binding.roleRef.kind,
    ).find(
      (r) =>
        r.metadata.name === binding.roleRef.name &&
        (binding.roleRef.kind === 'ClusterRole' || r.metadata.namespace === namespace),
    );
    return role?.rules ?? [];
  });
}

/**
 * For each Kustomization that impersonates a ServiceAccount and waits for health: every kind it
 * applies, and every kind kstatus lists for those, must be readable (get, list, watch) by that
 * account in the objects' namespace.
 */
export function healthCheckReadProblems(
  files: readonly string[],
  manifests: readonly Manifest[],
): string[] {
  const problems: string[] = [];
  for (const kustomization of ofKind<KubeObject>(manifests, 'Kustomization')) {
    const spec = kustomization.spec as { serviceAccountName?: string; wait?: boolean };
    const built = fluxBuild(files, manifests, kustomization);
    if (!spec.serviceAccountName || spec.wait !== true || !built) continue;
    const account = { name: spec.serviceAccountName, namespace: kustomization.metadata.namespace! };
    const objects = built.manifests.map((m) => m.object);
    for (const namespace of new Set(objects.map((o) => o.metadata.namespace))) {
      if (namespace === undefined) continue;
      const rules = rulesOf(manifests, account, namespace);
      const applied = objects.filter((o) => o.metadata.namespace === namespace).map(groupKind);
      for (const gk of [...new Set([...applied, ...kstatusReads(applied)])].sort()) {
        const missing = ['get', 'list', 'watch'].filter((verb) => !allows(rules, gk, verb));
        if (missing.length > 0) {
          problems.push(
            `Kustomization ${kustomization.metadata.name}: ${account.name} cannot ${missing.join('/')} ${gk} in ${namespace}`,
          );
        }
      }
    }
  }
  return problems;
}
