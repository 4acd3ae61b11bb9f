import type { KubeObject } from './k8s-types.js';
import { kstatusReads } from './kstatus.js';
import { ofKind, type Manifest } from './manifests.js';
import { delegationReachProblems, escalationProblems, type PolicyRule } from './rbac-escalation.js';

type Binding = KubeObject & {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
};

const READ_VERBS = ['get', 'list', 'watch'];
const DELEGATION_VERBS = ['escalate', 'bind'];
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};

/**
 * The Flux Kustomization of a unit that applies cluster-scoped objects (`objects`) must not run
 * with kustomize-controller's own cluster-admin rights: it impersonates a ServiceAccount bound by
 * ClusterRoleBindings, which the unit does not apply itself (it could widen itself), to
 * ClusterRoles that allow managing exactly the unit's kinds, reading only what kstatus lists for
 * them, `escalate`/`bind` only on the Roles the unit applies, and with which the API server's
 * escalation checks accept every Role and RoleBinding of the unit (support/rbac-escalation.ts).
 */
export function clusterIdentityProblems(
  kustomization: KubeObject,
  objects: readonly KubeObject[],
  manifests: readonly Manifest[],
): string[] {
  const at = `Kustomization ${kustomization.metadata.name}`;
  const account = (kustomization.spec as { serviceAccountName?: string }).serviceAccountName;
  if (!account) {
    return [
      `${at}: applies cluster-scoped objects with the controller's own (cluster-admin) rights`,
    ];
  }
  const problems: string[] = [];
  const bindings = ofKind<Binding>(manifests, 'ClusterRoleBinding').filter((b) =>
    (b.subjects ?? []).some(
      (s) =>
        s.kind === 'ServiceAccount' &&
        s.name === account &&
        s.namespace === kustomization.metadata.namespace,
    ),
  );
  for (const binding of bindings.filter((b) => objects.includes(b))) {
    problems.push(`${at}: applies its own ClusterRoleBinding ${binding.metadata.name}`);
  }
  const held: PolicyRule[] = bindings.flatMap((b) => {
    const role = ofKind<KubeObject & { rules?: PolicyRule[] }>(manifests, 'ClusterRole').find(
      (r) => b.roleRef.kind === 'ClusterRole' && r.metadata.name === b.roleRef.name,
    );
    if (!role) problems.push(`${at}: ${account} is bound to no ClusterRole of the output`);
    return role?.rules ?? [];
  });
  const resourcesOf = (rules: readonly PolicyRule[]) =>
    new Set(
      rules.flatMap((r) =>
        (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).map((res) => `${g}/${res}`)),
      ),
    );
  const delegation = (r: PolicyRule) => (r.verbs ?? []).every((v) => DELEGATION_VERBS.includes(v));
  const managing = held.filter(
    (r) => !delegation(r) && (r.verbs ?? []).some((v) => !READ_VERBS.includes(v)),
  );
  const reading = held.filter(
    (r) => !delegation(r) && (r.verbs ?? []).every((v) => READ_VERBS.includes(v)),
  );
  const needed = new Set(objects.map((o) => `${groupOf(o.apiVersion)}/${plural(o.kind)}`));
  const allowed = resourcesOf(managing);
  const missing = [...needed].filter((k) => !allowed.has(k));
  const extra = [...allowed].filter((k) => !needed.has(k));
  if (missing.length || extra.length) {
    problems.push(
      `${at}: ${account} lacks [${missing.join(', ')}] and may also manage [${extra.join(', ')}]`,
    );
  }
  const readable = kstatusReads(objects.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`)).map(
    (gk) => {
      const [group, kind] = gk.split('/') as [string, string];
      return `${group}/${plural(kind)}`;
    },
  );
  const extraReads = [...resourcesOf(reading)].filter((k) => !readable.includes(k));
  if (extraReads.length > 0) {
    problems.push(`${at}: ${account} may also read [${extraReads.join(', ')}]`);
  }
  const identity = `${at}: ${account}`;
  problems.push(...delegationReachProblems(identity, held, objects));
  problems.push(...escalationProblems(identity, held, objects, manifests));
  return problems;
}
