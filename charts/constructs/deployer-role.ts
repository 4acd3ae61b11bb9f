import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** An API kind as RBAC and Argo CD name it: its group (`''` for the core group) and kind. */
export interface ApiKind {
  readonly group: string;
  readonly kind: string;
}

/** The resource RBAC names a kind by: lower case, plural (`NetworkPolicy` → `networkpolicies`). */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  if (lower.endsWith('s')) return `${lower}es`;
  return `${lower}s`;
}

/** Props of {@link DeployerRole}. */
export interface DeployerRoleProps {
  /** Name of the Role and its RoleBinding. */
  readonly name: string;
  /** Namespace of the Role. @default the chart's namespace */
  readonly namespace?: string;
  /** The kinds the deployer may manage in the Role's namespace, and nothing else. */
  readonly kinds: readonly ApiKind[];
  /**
   * Kinds it may only read (get, list, watch): what its health checks look at besides `kinds`
   * (`healthCheckReads`). @default []
   */
  readonly reads?: readonly ApiKind[];
  /**
   * Kinds it may only find and delete (get, list, watch, delete): what it held once and must
   * still prune (`GitOpsUnit.retiredKinds`). @default []
   */
  readonly prunes?: readonly ApiKind[];
  /**
   * Names of Roles of the namespace it writes and binds without holding their rules (the platform
   * unit's `gitops-*` Roles): `escalate` and `bind` on exactly these, which the API server's
   * escalation checks ask for by the Role's name (see {@link delegationRule}). @default []
   */
  readonly delegates?: readonly string[];
  /** The identity a GitOps controller impersonates to apply them. */
  readonly serviceAccount: { readonly name: string; readonly namespace: string };
}

// What kustomize-controller needs to apply (server-side, with a dry run), wait for and prune.
export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ_VERBS = ['get', 'list', 'watch'];
const PRUNE_VERBS = [...READ_VERBS, 'delete'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/**
 * `escalate` and `bind` on the Roles named `roles`, and on no other Role or ClusterRole.
 *
 * Creating or updating a Role that grants rules its writer does not hold needs `escalate` on
 * that Role, and a RoleBinding to a Role whose rules the writer does not hold needs `bind` on it
 * (kubernetes/kubernetes, pkg/registry/rbac/escalation_check.go: `RoleEscalationAuthorized` asks
 * with the request's name, `BindingAuthorized` with the roleRef's name, in the binding's
 * namespace; pkg/registry/rbac/role/policybased/storage.go and rolebinding/policybased/storage.go
 * call them on create and on update, which a server-side apply is). Flux always names the object
 * (a PATCH on it, its dry run included: fluxcd/pkg ssa/manager_apply.go), so `resourceNames`
 * limits both verbs to `roles`.
 */
export function delegationRule(roles: readonly string[]) {
  return {
    apiGroups: [RBAC_GROUP],
    resources: ['roles'],
    resourceNames: [...roles],
    verbs: ['escalate', 'bind'],
  };
}

/** One rule per API group: `verbs` on the resources of `kinds` in that group. */
function rulesFor(kinds: readonly ApiKind[], verbs: readonly string[]) {
  return [...new Set(kinds.map((kind) => kind.group))].map((group) => ({
    apiGroups: [group],
    resources: kinds.filter((k) => k.group === group).map((k) => resourceOf(k.kind)),
    verbs: [...verbs],
  }));
}

/**
 * A namespaced Role allowing exactly `kinds` (and reading `reads`), bound to a GitOps controller's ServiceAccount:
 * a controller that impersonates it cannot touch another namespace, a cluster-scoped object, or
 * a kind (Role, Secret, ResourceQuota…) the deployed units do not hold. `k8s` L1 objects:
 * cdk8s-plus-27's Role cannot bind a ServiceAccount of another namespace by name.
 */
export class DeployerRole extends Construct {
  constructor(scope: Construct, id: string, props: DeployerRoleProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace ?? Chart.of(this).namespace };
    new k8s.KubeRole(this, 'Role', {
      metadata,
      rules: [
        ...rulesFor(props.kinds, VERBS),
        ...rulesFor(props.reads ?? [], READ_VERBS),
        ...rulesFor(props.prunes ?? [], PRUNE_VERBS),
        ...(props.delegates?.length ? [delegationRule(props.delegates)] : []),
      ],
    });
    new k8s.KubeRoleBinding(this, 'Binding', {
      metadata,
      roleRef: { apiGroup: RBAC_GROUP, kind: 'Role', name: props.name },
      subjects: [{ kind: 'ServiceAccount', ...props.serviceAccount }],
    });
  }
}
