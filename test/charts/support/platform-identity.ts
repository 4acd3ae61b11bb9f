import { distHistory } from './dist-history.js';
import { CLUSTER_SCOPED } from './hygiene.js';
import type { KubeObject } from '../../support/k8s-types.js';
import type { Manifest } from '../../support/manifests.js';
import {
  allowsOn,
  escalationProblems,
  grantsOf,
  rulesIn,
  scopeOf,
  type Account,
  type Grant,
  type PolicyRule,
} from './rbac-reach.js';

const READ_VERBS = ['get', 'list', 'watch'];
const PRUNE_VERBS = ['get', 'delete'];
// What Flux does to each object it applies, by name: get, server-side apply (patch, and create
// when new), and prune (delete).
const APPLY_VERBS = ['get', 'create', 'patch', 'delete'];
const DELEGATION_VERBS = ['escalate', 'bind', '*'];
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
};
const resourceOf = (o: KubeObject) => `${groupOf(o.apiVersion)}/${plural(o.kind)}`;
const pairsOf = (rule: PolicyRule) =>
  (rule.apiGroups ?? []).flatMap((g) => (rule.resources ?? []).map((r) => `${g}/${r}`));
const delegates = (rule: PolicyRule) =>
  (rule.verbs ?? []).some((verb) => DELEGATION_VERBS.includes(verb));

// The cluster-scoped objects of each earlier render of a folder, `group/resource/name`.
const earlier = new Map<string, Set<string>>();
function heldBefore(distPath: string): Set<string> {
  let found = earlier.get(distPath);
  if (!found) {
    found = new Set(
      distHistory(distPath).flatMap(({ objects }) =>
        objects
          .filter((o) => CLUSTER_SCOPED.has(o.kind))
          .map((o) => `${resourceOf(o)}/${o.metadata.name}`),
      ),
    );
    earlier.set(distPath, found);
  }
  return found;
}

/**
 * The Flux Kustomization of the unit that applies cluster-scoped objects (`objects`, from a render
 * in `distPath`) must not run with kustomize-controller's own cluster-admin rights. Its identity
 * may reach one namespace, the application's, and there only by RoleBindings; cluster-wide only
 * the unit's cluster-scoped objects by name, and those an earlier render applied (get, delete:
 * to prune them). There it manages exactly the unit's kinds, reads only what kstatus lists for
 * them, escalates and binds only the Roles the unit applies, and the API server's escalation
 * checks accept every Role and RoleBinding of the unit (support/rbac-reach.ts).
 */
export function platformIdentityProblems(
  kustomization: KubeObject,
  objects: readonly KubeObject[],
  manifests: readonly Manifest[],
  distPath: string,
): string[] {
  const at = `Kustomization ${kustomization.metadata.name}`;
  const name = (kustomization.spec as { serviceAccountName?: string }).serviceAccountName;
  if (!name) {
    return [
      `${at}: applies cluster-scoped objects with the controller's own (cluster-admin) rights`,
    ];
  }
  const account: Account = { name, namespace: kustomization.metadata.namespace! };
  const identity = `${at}: ${name}`;
  const rbac = manifests.map((m) => m.object);
  const grants = grantsOf(account, rbac);
  const problems: string[] = [];
  const namespaces = [...new Set(objects.flatMap((o) => o.metadata.namespace ?? []))];
  if (namespaces.length !== 1) {
    return [
      `${at}: applies namespaced objects in [${namespaces.join(', ')}], not in one namespace`,
    ];
  }
  const namespace = namespaces[0]!;
  if (namespace === account.namespace || namespace.startsWith('kube-')) {
    problems.push(`${identity} rules ${namespace}, where controllers' ServiceAccounts live`);
  }

  // Reach: one namespace, and named cluster-scoped objects.
  const own = objects.filter((o) => CLUSTER_SCOPED.has(o.kind));
  const ownNames = new Set(own.map((o) => `${resourceOf(o)}/${o.metadata.name}`));
  const scope = scopeOf(grants, new Set(own.map(resourceOf)));
  problems.push(...scope.unbounded.map((grant) => `${identity} holds ${grant}`));
  for (const other of [...scope.namespaces].filter((n) => n !== namespace)) {
    problems.push(`${identity} reaches namespace ${other}`);
  }
  for (const { rule, via } of grants.filter((g) => g.namespace === undefined)) {
    const pruneOnly = (rule.verbs ?? []).every((verb) => PRUNE_VERBS.includes(verb));
    const foreign = pairsOf(rule)
      .flatMap((pair) => (rule.resourceNames ?? []).map((n) => `${pair}/${n}`))
      .filter((o) => !ownNames.has(o) && !(pruneOnly && heldBefore(distPath).has(o)));
    if (foreign.length > 0) {
      problems.push(`${identity} reaches [${foreign.join(', ')}] by ${via}, beyond its objects`);
    }
  }
  // A binding the unit applies could widen the identity at the next commit.
  for (const via of new Set(grantsOf(account, objects).map((g) => g.via))) {
    problems.push(`${identity}: the unit applies ${via}, which grants it`);
  }
  problems.push(...takeoverProblems(namespace, rbac, identity));

  // Rights: exactly the unit's kinds in the namespace, its cluster-scoped objects by name.
  const held = grants
    .filter((g) => g.namespace === namespace && !delegates(g.rule))
    .map((g) => g.rule);
  const resources = (writes: boolean) =>
    new Set(
      held
        .filter((r) => (r.verbs ?? []).some((v) => !READ_VERBS.includes(v)) === writes)
        .flatMap(pairsOf),
    );
  const needed = new Set(objects.filter((o) => o.metadata.namespace).map(resourceOf));
  const managed = resources(true);
  const missing = [...needed].filter((k) => !managed.has(k));
  const extra = [...managed].filter((k) => !needed.has(k));
  if (missing.length || extra.length) {
    problems.push(
      `${identity} in ${namespace} lacks [${missing.join(', ')}] and may also manage [${extra.join(', ')}]`,
    );
  }
  // None of the unit's kinds has a status that kstatus computes from other objects.
  if (resources(false).size > 0) {
    problems.push(
      `${identity} in ${namespace} may also read [${[...resources(false)].join(', ')}]`,
    );
  }
  for (const object of own) {
    const [group, resource] = resourceOf(object).split('/') as [string, string];
    const lacking = APPLY_VERBS.filter(
      (verb) => !allowsOn(rulesIn(grants, undefined), group, resource, verb, object.metadata.name),
    );
    if (lacking.length > 0) {
      problems.push(
        `${identity} cannot [${lacking.join(', ')}] ${object.kind} ${object.metadata.name}`,
      );
    }
  }
  problems.push(...delegationProblems(identity, grants, objects));
  problems.push(...escalationProblems(identity, grants, objects, manifests));
  return problems;
}

/**
 * `escalate` and `bind` only on `roles`, by the names of the Roles the unit applies in the
 * namespace the rule applies in: never on ClusterRoles, every Role, or cluster-wide.
 */
function delegationProblems(
  identity: string,
  grants: readonly Grant[],
  objects: readonly KubeObject[],
): string[] {
  return grants
    .filter(({ rule }) => delegates(rule))
    .flatMap(({ namespace, rule, via }) => {
      const roles = new Set(
        objects
          .filter((o) => o.kind === 'Role' && o.metadata.namespace === namespace)
          .map((o) => o.metadata.name),
      );
      const names = rule.resourceNames ?? [];
      const beyond =
        namespace === undefined ||
        names.length === 0 ||
        (rule.resources ?? []).some((r) => r !== 'roles') ||
        names.some((n) => !roles.has(n));
      return beyond
        ? [
            `${identity} may escalate or bind [${(rule.resources ?? []).join(', ')}] named [${names.join(', ') || 'any'}] ${namespace ? `in ${namespace}` : 'in every namespace'} (${via}), beyond the Roles it applies`,
          ]
        : [];
    });
}

/**
 * The identity can act as any ServiceAccount of its namespace (a Role it escalates may create
 * their tokens), so none may hold a right outside it.
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
