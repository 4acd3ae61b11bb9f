/**
 * RBAC's escalation prevention, as the API server enforces it (kubernetes/kubernetes v1.27, the
 * oldest release Aviary supports, unchanged to master):
 * - creating or updating a Role needs every permission it grants (`ConfirmNoEscalation`), or the
 *   `escalate` verb on `roles` with the Role's name (`RoleEscalationAuthorized`):
 *   pkg/registry/rbac/role/policybased/storage.go, pkg/registry/rbac/escalation_check.go;
 * - creating or updating a RoleBinding needs every permission of the Role it binds, or the `bind`
 *   verb on `roles` (or `clusterroles`) with the bound role's name in the binding's namespace
 *   (`BindingAuthorized`): pkg/registry/rbac/rolebinding/policybased/storage.go,
 *   pkg/registry/rbac/escalation_check.go.
 * A GitOps identity that applies Roles and RoleBindings without either is refused at apply time.
 */
import type { KubeObject } from './k8s-types.js';
import { ofKind, type Manifest } from './manifests.js';

/** A rule of a Role or ClusterRole. */
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs?: string[];
}

type Role = KubeObject & { rules?: PolicyRule[] };
type RoleBinding = KubeObject & { roleRef: { kind: string; name: string } };

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const matches = (allowed: readonly string[] | undefined, value: string) =>
  (allowed ?? []).some((a) => a === value || a === '*');

/**
 * Whether `rules` allow `verb` on `group/resource`, for the object named `name` (`undefined`:
 * every object, which a rule limited by `resourceNames` does not allow).
 */
function allowsOn(
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

/** Whether `held` covers every permission `granted` gives (`ConfirmNoEscalation`). */
function covers(held: readonly PolicyRule[], granted: readonly PolicyRule[]): boolean {
  return granted.every((rule) =>
    (rule.apiGroups ?? []).every((group) =>
      (rule.resources ?? []).every((resource) =>
        (rule.verbs ?? []).every((verb) =>
          rule.resourceNames?.length
            ? rule.resourceNames.every((name) => allowsOn(held, group, resource, verb, name))
            : allowsOn(held, group, resource, verb),
        ),
      ),
    ),
  );
}

/**
 * For each Role and RoleBinding of `objects` (what one GitOps unit applies), whether an identity
 * holding `held` (its rules, cluster-wide) may apply it; one line per object it may not.
 */
export function escalationProblems(
  identity: string,
  held: readonly PolicyRule[],
  objects: readonly KubeObject[],
  manifests: readonly Manifest[],
): string[] {
  const problems: string[] = [];
  const rbac = (o: KubeObject) => o.apiVersion.startsWith(`${RBAC_GROUP}/`);
  for (const role of objects.filter((o) => rbac(o) && o.kind === 'Role') as Role[]) {
    const name = role.metadata.name;
    if (allowsOn(held, RBAC_GROUP, 'roles', 'escalate', name)) continue;
    if (!covers(held, role.rules ?? [])) {
      problems.push(
        `${identity} cannot apply Role ${role.metadata.namespace}/${name}: it lacks rules the Role grants, and escalate on it`,
      );
    }
  }
  for (const binding of objects.filter(
    (o) => rbac(o) && o.kind === 'RoleBinding',
  ) as RoleBinding[]) {
    const { kind, name } = binding.roleRef;
    const resource = kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (allowsOn(held, RBAC_GROUP, resource, 'bind', name)) continue;
    const bound = ofKind<Role>(manifests, kind).find(
      (r) =>
        r.metadata.name === name &&
        (kind === 'ClusterRole' || r.metadata.namespace === binding.metadata.namespace),
    );
    if (!bound || !covers(held, bound.rules ?? [])) {
      problems.push(
        `${identity} cannot apply RoleBinding ${binding.metadata.namespace}/${binding.metadata.name}: it lacks rules of ${kind} ${name}, and bind on it`,
      );
    }
  }
  return problems;
}

/**
 * `escalate` and `bind` that reach further than the Roles `objects` hold: on every role (no
 * `resourceNames`), on ClusterRoles, or on Roles the unit does not apply.
 */
export function delegationReachProblems(
  identity: string,
  held: readonly PolicyRule[],
  objects: readonly KubeObject[],
): string[] {
  const roles = new Set(objects.filter((o) => o.kind === 'Role').map((o) => o.metadata.name));
  return held
    .filter((rule) => (rule.verbs ?? []).some((v) => v === 'escalate' || v === 'bind' || v === '*'))
    .flatMap((rule) => {
      const names = rule.resourceNames ?? [];
      const reach =
        names.length === 0 ||
        (rule.resources ?? []).some((r) => r !== 'roles') ||
        names.some((n) => !roles.has(n));
      return reach
        ? [
            `${identity} may escalate or bind [${(rule.resources ?? []).join(', ')}] named [${names.join(', ') || 'any'}], beyond the Roles it applies`,
          ]
        : [];
    });
}
