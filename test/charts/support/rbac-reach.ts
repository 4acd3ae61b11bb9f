/**
 * What a ServiceAccount can reach through RBAC, computed from rendered Roles, ClusterRoles and
 * their bindings as the API server decides (kubernetes/kubernetes as read on master in December
 * 2026: handlers/patch.go at 00f75347, rolebinding/policybased/storage.go at 008b3652; the
 * `escalate` and `bind` verbs date from v1.12 and v1.8, before v1.27, the oldest release Aviary
 * supports):
 * - a RoleBinding's rules apply to requests in its namespace only; a ClusterRoleBinding's to
 *   every namespace and to cluster-scoped objects (pkg/registry/rbac/validation/rule.go,
 *   `VisitRulesFor`);
 * - a rule with `resourceNames` matches only requests that name one of them. Flux always names
 *   the object: it gets, applies (a server-side PATCH, which when it creates the object is also
 *   authorized as `create` with that name:
 *   staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go, `createAuthorizerAttributes`),
 *   waits for (kstatus gets it by name) and prunes (get, then delete: fluxcd/pkg
 *   ssa/manager_delete.go) by name;
 * - creating or updating a Role needs every rule it grants (`ConfirmNoEscalation`), or the
 *   `escalate` verb on `roles` with the request's name and namespace (`RoleEscalationAuthorized`):
 *   pkg/registry/rbac/escalation_check.go, pkg/registry/rbac/role/policybased/storage.go;
 * - creating or updating a RoleBinding needs every rule of the role it binds, or `bind` on
 *   `roles` (`clusterroles` for a ClusterRole) with the roleRef's name, in the binding's namespace
 *   (`BindingAuthorized`): pkg/registry/rbac/escalation_check.go,
 *   pkg/registry/rbac/rolebinding/policybased/storage.go.
 * So an identity that may write a RoleBinding may bind what it holds to any subject (the check
 * compares rules, never subjects), and one with `escalate` and `bind` on a Role it may write can
 * give itself any rule a Role there can hold: every namespaced right of that namespace, and its Namespace object (a request on
 * `namespaces/<n>` carries namespace `<n>`: staging/src/k8s.io/apiserver/pkg/endpoints/request/
 * requestinfo.go). Its reach is therefore counted in whole namespaces, plus the cluster-scoped
 * objects a ClusterRoleBinding names.
 */
import type { KubeObject } from '../../support/k8s-types.js';

/** A rule of a Role or ClusterRole. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

/** A rule bound to an identity, and where it applies (`undefined`: cluster-wide). */
export interface Grant {
  readonly namespace: string | undefined;
  readonly rule: PolicyRule;
  /** The binding that grants it, `Kind name`. */
  readonly via: string;
}

type Role = KubeObject & { rules?: PolicyRule[] };
type Binding = KubeObject & {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
};
export interface Account {
  readonly name: string;
  readonly namespace: string;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
// A role the output does not hold (cluster-admin, admin…): counted as allowing everything.
const EVERYTHING: PolicyRule = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
const matches = (allowed: readonly string[] | undefined, value: string) =>
  (allowed ?? []).some((a) => a === value || a === '*');

/** Whether a binding's subjects include `account`, or a group every such account is in. */
function bindsAccount(binding: Binding, account: Account): boolean {
  const groups = [
    'system:authenticated',
    'system:serviceaccounts',
    `system:serviceaccounts:${account.namespace}`,
  ];
  return (binding.subjects ?? []).some(
    (s) =>
      (s.kind === 'ServiceAccount' &&
        s.name === account.name &&
        s.namespace === account.namespace) ||
      (s.kind === 'Group' && groups.includes(s.name)),
  );
}

/**
 * Each binding of `objects` that grants `account` and has another subject than that
 * ServiceAccount, or more than one: a Group names every account of a namespace (or of the
 * cluster), so another identity would hold the same rights, and another subject shares them.
 */
export function bindingSubjectProblems(
  identity: string,
  account: Account,
  objects: readonly KubeObject[],
): string[] {
  return (objects.filter((o) => o.kind.endsWith('Binding')) as Binding[])
    .filter((b) => b.apiVersion.startsWith(`${RBAC_GROUP}/`) && bindsAccount(b, account))
    .filter(
      (b) =>
        b.subjects?.length !== 1 ||
        b.subjects[0]!.kind !== 'ServiceAccount' ||
        b.subjects[0]!.name !== account.name ||
        b.subjects[0]!.namespace !== account.namespace,
    )
    .map(
      (b) =>
        `${identity} is granted by ${b.kind} ${b.metadata.namespace ?? ''}/${b.metadata.name}, whose subjects are [${(b.subjects ?? []).map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ')}], not its ServiceAccount alone`,
    );
}

/** Every rule bound to `account` in `objects`, with the namespace it applies in. */
export function grantsOf(account: Account, objects: readonly KubeObject[]): Grant[] {
  const roles = objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole') as Role[];
  const rulesOf = (binding: Binding) => {
    const { kind, name } = binding.roleRef;
    const role = roles.find(
      (r) =>
        r.kind === kind &&
        r.metadata.name === name &&
        (kind === 'ClusterRole' || r.metadata.namespace === binding.metadata.namespace),
    );
    return role ? (role.rules ?? []) : [EVERYTHING];
  };
  return (objects.filter((o) => o.kind.endsWith('Binding')) as Binding[])
    .filter((b) => b.apiVersion.startsWith(`${RBAC_GROUP}/`) && bindsAccount(b, account))
    .flatMap((binding) =>
      rulesOf(binding).map((rule) => ({
        namespace: binding.kind === 'RoleBinding' ? binding.metadata.namespace : undefined,
        rule,
        via: `${binding.kind} ${binding.metadata.name}`,
      })),
    );
}

/** The rules of `grants` that apply to a request in `namespace` (`undefined`: cluster-scoped). */
export const rulesIn = (grants: readonly Grant[], namespace: string | undefined): PolicyRule[] =>
  grants.filter((g) => g.namespace === undefined || g.namespace === namespace).map((g) => g.rule);

/**
 * Whether `rules` allow `verb` on `group/resource`, for the object named `name` (`undefined`:
 * every object, which a rule limited by `resourceNames` does not allow).
 */
export function allowsOn(
  rules: readonly PolicyRule[],
  group: string,
  resource: string,
  verb: string,
  name?: string,
): boolean {
  return rules.some(
    (rule) =>
      matches(rule.apiGroups, group) &&
      matches(rule.resources, resource) &&
      matches(rule.verbs, verb) &&
      (!rule.resourceNames?.length || (name !== undefined && rule.resourceNames.includes(name))),
  );
}

/**
 * The permissions `granted` gives that `held` does not, `[verb] group/resource[/name]` each: none
 * when `held` covers `granted`, as kubernetes/kubernetes pkg/registry/rbac/validation/rule.go
 * `ConfirmNoEscalation` (called by pkg/registry/rbac/escalation_check.go's callers) requires of
 * whoever writes a Role granting `granted` or binds one.
 */
export function uncovered(held: readonly PolicyRule[], granted: readonly PolicyRule[]): string[] {
  return granted.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) =>
        (rule.verbs ?? []).flatMap((verb) =>
          rule.resourceNames?.length
            ? rule.resourceNames
                .filter((name) => !allowsOn(held, group, resource, verb, name))
                .map((name) => `[${verb}] ${group}/${resource}/${name}`)
            : allowsOn(held, group, resource, verb)
              ? []
              : [`[${verb}] ${group}/${resource}`],
        ),
      ),
    ),
  );
}

/** What an identity can reach: whole namespaces, and cluster-scoped objects by name. */
export interface Scope {
  /** Namespaces in which it holds any right (and may, by escalation, hold every right). */
  readonly namespaces: ReadonlySet<string>;
  /** Cluster-scoped objects, `group/resource/name`. */
  readonly clusterObjects: ReadonlySet<string>;
  /** Rights without bounds: cluster-wide on a namespaced or unnamed resource, or on URLs. */
  readonly unbounded: readonly string[];
}

/**
 * The scope of `grants`. Every rule of a ClusterRoleBinding must name its objects and a resource
 * of `clusterResources` (`group/resource`): any other applies in every namespace, or to every
 * object of a cluster-scoped kind, and is reported as unbounded.
 */
export function scopeOf(grants: readonly Grant[], clusterResources: ReadonlySet<string>): Scope {
  const namespaces = new Set<string>();
  const clusterObjects = new Set<string>();
  const unbounded: string[] = [];
  for (const { namespace, rule, via } of grants) {
    if (namespace !== undefined) {
      namespaces.add(namespace);
      continue;
    }
    const pairs = (rule.apiGroups ?? []).flatMap((g) =>
      (rule.resources ?? []).map((r) => `${g}/${r}`),
    );
    const names = rule.resourceNames ?? [];
    const bounded =
      !rule.nonResourceURLs?.length &&
      names.length > 0 &&
      !(rule.verbs ?? []).includes('*') &&
      pairs.every((pair) => clusterResources.has(pair));
    if (!bounded) {
      unbounded.push(
        `${via}: [${(rule.verbs ?? []).join(', ')}] on [${[...pairs, ...(rule.nonResourceURLs ?? [])].join(', ')}] named [${names.join(', ') || 'any'}] in every namespace`,
      );
      continue;
    }
    for (const pair of pairs) {
      for (const name of names) {
        clusterObjects.add(`${pair}/${name}`);
        if (pair === '/namespaces') namespaces.add(name);
      }
    }
  }
  return { namespaces, clusterObjects, unbounded };
}

/** What `a` and `b` can both reach: a namespace or a cluster-scoped object, one line each. */
export function sharedScope(a: Scope, b: Scope): string[] {
  return [
    ...[...a.namespaces].filter((n) => b.namespaces.has(n)).map((n) => `namespace ${n}`),
    ...[...a.clusterObjects].filter((o) => b.clusterObjects.has(o)),
    ...[...a.unbounded, ...b.unbounded].map((grant) => `reach of ${grant}`),
  ];
}
