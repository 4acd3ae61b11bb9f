import { CLUSTER_SCOPED } from './hygiene.js';
import { kstatusReads } from './kstatus.js';
import type { KubeObject } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';
import {
  allowsOn,
  bindingSubjectProblems,
  escalationProblems,
  grantsOf,
  rulesIn,
  scopeOf,
  uncovered,
  type Account,
  type PolicyRule,
} from './rbac-reach.js';

// What kustomize-controller does to the kinds it applies: get, list and watch (its health checks
// and dry runs), server-side apply (patch, create when new, update), prune (delete).
const MANAGE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
// Verbs that lift the API server's escalation checks, or act as someone else.
const FORBIDDEN_VERBS = ['escalate', 'bind', 'impersonate', '*'];
// Resources whose namespaced rights reach past the namespace: its Namespace object (Pod
// Security labels, labels other tenants select) and ClusterRoles bound by a RoleBinding.
const FORBIDDEN_RESOURCES = ['/namespaces', 'rbac.authorization.k8s.io/clusterroles', '*/*'];
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};
const resourceOf = (o: KubeObject) => `${groupOf(o.apiVersion)}/${plural(o.kind)}`;
const pairsOf = (rule: PolicyRule) =>
  (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).map((r) => `${g}/${r}`));
const isRbac = (o: KubeObject) => o.apiVersion.startsWith('rbac.authorization.k8s.io/');
const rulesOfRole = (o: KubeObject) => (o as KubeObject & { rules?: PolicyRule[] }).rules ?? [];

/**
 * The Flux Kustomization of the platform unit (`objects`: what it syncs) must not run with
 * kustomize-controller's own cluster-admin rights, nor reach past the application's namespace:
 * - it applies no cluster-scoped object: Flux's bootstrap file (the Kustomization's own file)
 *   applies the Namespace, PriorityClass and StorageClass, and the identity only gets those, by
 *   name (Flux gets what leaves the inventory before skipping it as prune-disabled);
 * - in the namespace, by RoleBindings only, it manages the unit's kinds, reads what kstatus
 *   reads for them, and holds every rule of the Roles the unit writes (the API server's
 *   `ConfirmNoEscalation`, support/rbac-reach.ts), and nothing else: no `escalate`, `bind` or
 *   `impersonate`, nothing on `namespaces` or `clusterroles`;
 * - every binding granting it names its ServiceAccount alone.
 */
export function platformIdentityProblems(
  kustomization: KubeObject,
  objects: readonly KubeObject[],
  manifests: readonly Manifest[],
): string[] {
  const at = `Kustomization ${kustomization.metadata.name}`;
  const name = (kustomization.spec as { serviceAccountName?: string }).serviceAccountName;
  if (!name) {
    return [`${at}: applies RBAC objects with the controller's own (cluster-admin) rights`];
  }
  const account: Account = { name, namespace: kustomization.metadata.namespace! };
  const identity = `${at}: ${name}`;
  const rbac = manifests.map((m) => m.object);
  const grants = grantsOf(account, rbac);
  const problems: string[] = bindingSubjectProblems(identity, account, rbac);
  for (const object of objects.filter((o) => CLUSTER_SCOPED.has(o.kind))) {
    problems.push(
      `${identity} applies ${object.kind} ${object.metadata.name}, which Flux's bootstrap file must apply instead`,
    );
  }
  const namespaces = [...new Set(objects.flatMap((o) => o.metadata.namespace ?? []))];
  if (namespaces.length !== 1) {
    return [
      ...problems,
      `${at}: applies namespaced objects in [${namespaces.join(', ')}], not in one namespace`,
    ];
  }
  const namespace = namespaces[0]!;
  if (namespace === account.namespace || namespace.startsWith('kube-')) {
    problems.push(`${identity} rules ${namespace}, where controllers' ServiceAccounts live`);
  }

  // Cluster-wide: get on the bootstrap's cluster-scoped objects, by name, and nothing else.
  const bootstrapFile = manifests.find((m) => m.object === kustomization)?.file;
  const bootstrap = manifests
    .filter((m) => m.file === bootstrapFile && CLUSTER_SCOPED.has(m.object.kind))
    .map((m) => m.object)
    .filter((o) => !isRbac(o));
  const bootstrapNames = new Set(bootstrap.map((o) => `${resourceOf(o)}/${o.metadata.name}`));
  const scope = scopeOf(grants, new Set(bootstrap.map(resourceOf)));
  problems.push(...scope.unbounded.map((grant) => `${identity} holds ${grant}`));
  for (const other of [...scope.namespaces].filter((n) => n !== namespace)) {
    problems.push(`${identity} reaches namespace ${other}`);
  }
  for (const { rule, via } of grants.filter((g) => g.namespace === undefined)) {
    const objectsBeyond = pairsOf(rule)
      .flatMap((pair) => (rule.resourceNames ?? []).map((n) => `${pair}/${n}`))
      .filter((o) => !bootstrapNames.has(o));
    const verbsBeyond = (rule.verbs ?? []).filter((verb) => verb !== 'get');
    if (objectsBeyond.length > 0 || verbsBeyond.length > 0) {
      problems.push(
        `${identity} may [${(rule.verbs ?? []).join(', ')}] [${pairsOf(rule).join(', ')}] named [${(rule.resourceNames ?? []).join(', ')}] by ${via}, beyond get on its bootstrap's objects`,
      );
    }
  }
  for (const object of bootstrap) {
    const [group, resource] = resourceOf(object).split('/') as [string, string];
    if (!allowsOn(rulesIn(grants, undefined), group, resource, 'get', object.metadata.name)) {
      problems.push(
        `${identity} cannot get ${object.kind} ${object.metadata.name}, its inventory's`,
      );
    }
  }

  // A binding the unit applies could widen the identity at the next commit.
  for (const via of new Set(grantsOf(account, objects).map((g) => g.via))) {
    problems.push(`${identity}: the unit applies ${via}, which grants it`);
  }
  problems.push(...takeoverProblems(namespace, rbac, identity));

  // In the namespace: its kinds, their health checks' reads, its Roles' rules; nothing more.
  const held = grants.filter((g) => g.namespace === namespace).map((g) => g.rule);
  for (const { rule, namespace: where, via } of grants) {
    const verbs = (rule.verbs ?? []).filter((verb) => FORBIDDEN_VERBS.includes(verb));
    const resources = pairsOf(rule).filter(
      (pair) => FORBIDDEN_RESOURCES.includes(pair) && where !== undefined,
    );
    if (verbs.length > 0 || resources.length > 0) {
      problems.push(
        `${identity} holds [${verbs.join(', ')}] on [${pairsOf(rule).join(', ')}]${resources.length ? `, rights on [${resources.join(', ')}]` : ''} in ${where ?? 'every namespace'} (${via})`,
      );
    }
  }
  const namespaced = objects.filter((o) => o.metadata.namespace === namespace);
  const kinds = [...new Set(namespaced.map(resourceOf))];
  const gks = [...new Set(namespaced.map((o) => `${groupOf(o.apiVersion)}/${o.kind}`))];
  const ruleOn = (pair: string, verbs: string[]): PolicyRule => {
    const [group, resource] = pair.split('/') as [string, string];
    return { apiGroups: [group], resources: [resource], verbs };
  };
  const allowed: PolicyRule[] = [
    ...kinds.map((pair) => ruleOn(pair, MANAGE_VERBS)),
    ...kstatusReads(gks).map((gk) => {
      const [group, kind] = gk.split('/') as [string, string];
      return ruleOn(`${group}/${plural(kind)}`, ['get', 'list', 'watch']);
    }),
    ...namespaced.filter((o) => o.kind === 'Role').flatMap(rulesOfRole),
  ];
  const lacking = uncovered(
    held,
    kinds.map((pair) => ruleOn(pair, MANAGE_VERBS)),
  );
  if (lacking.length > 0) {
    problems.push(`${identity} in ${namespace} lacks ${lacking.join(', ')}`);
  }
  const extra = uncovered(allowed, held);
  if (extra.length > 0) {
    problems.push(
      `${identity} in ${namespace} holds ${extra.join(', ')}, beyond its kinds, their health checks and its Roles' rules`,
    );
  }
  problems.push(...escalationProblems(identity, grants, objects, manifests));
  return problems;
}

/**
 * The identity can act as any ServiceAccount of its namespace (it writes Deployments, whose pods
 * may run as any of them), so none may hold a right outside it.
 */
function takeoverProblems(namespace: string, rbac: readonly KubeObject[], identity: string) {
  type Binding = KubeObject & { subjects?: { kind: string; name: string; namespace?: string }[] };
  return (rbac.filter((o) => o.kind.endsWith('Binding')) as Binding[])
    .filter((b) => b.kind === 'ClusterRoleBinding' || b.metadata.namespace !== namespace)
    .flatMap((binding) =>
      (binding.subjects ?? [])
        .filter(
          (s) =>
            (s.kind === 'ServiceAccount' && s.namespace === namespace) ||
            (s.kind === 'Group' && s.name === `system:serviceaccounts:${namespace}`),
        )
        .map(
          (s) =>
            `${identity} can act as ${s.kind} ${s.namespace ?? ''}/${s.name}, bound beyond ${namespace} by ${binding.kind} ${binding.metadata.name}`,
        ),
    );
}
